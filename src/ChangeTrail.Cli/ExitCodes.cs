namespace ChangeTrail.Cli;

/// <summary>
/// The CLI's exit codes (CONTRACT.md). Pipelines branch on them, so there are exactly three: a script can
/// tell "the server said no" (1) apart from "the question never reached the rules" (2).
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The server refused by its rules: forbidden, not found, conflict, precondition failed or unprocessable.</summary>
    public const int Denied = 1;

    /// <summary>Bad usage, missing credentials, a request the server could not read, or no server to ask.</summary>
    public const int UsageOrConnection = 2;
}
