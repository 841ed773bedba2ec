using System.CommandLine;

namespace ChangeTrail.Cli.Commands.Evidence;

/// <summary><c>changetrail evidence ...</c>: test results and scans as evidence for the gate.</summary>
internal static class EvidenceCommand
{
    public static Command Create(CliContext context) => new("evidence", "Upload test results and security scans as evidence.")
    {
        UploadEvidenceCommand.Create(context),
    };
}
