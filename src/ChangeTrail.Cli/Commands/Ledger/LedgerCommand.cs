using System.CommandLine;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary><c>changetrail ledger ...</c>: the tamper-evident ledger.</summary>
internal static class LedgerCommand
{
    public static Command Create(CliContext context, IReadOnlyDictionary<string, string?> environment) =>
        new("ledger", "Verify the tamper-evident ledger, online or from an exported bundle.")
        {
            VerifyLedgerCommand.Create(context, environment),
        };
}
