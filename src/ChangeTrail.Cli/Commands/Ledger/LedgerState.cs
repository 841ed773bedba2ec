using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeTrail.Cli.Configuration;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary>
/// What <c>ledger verify</c> remembers between runs (<c>~/.config/changetrail/ledger-state.json</c>): for each source
/// and log origin, the last checkpoint it verified and the key that signed it. The next run must find a tree that
/// extends that one (a consistency proof), and, when it has to trust the server's own key, the same key.
/// </summary>
internal sealed class LedgerState
{
    /// <summary>The <see cref="LedgerStateEntry.Source"/> of checkpoints verified from bundles.</summary>
    public const string BundleSource = "bundle";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Verifier keys hold '+': keep them as written, so the file can be read and edited by hand.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private LedgerState(string path, List<LedgerStateEntry> logs)
    {
        Path = path;
        Logs = logs;
    }

    public string Path { get; }

    public List<LedgerStateEntry> Logs { get; }

    /// <summary>Where the state lives by default: <c>$XDG_CONFIG_HOME/changetrail</c>, else <c>~/.config/changetrail</c>.</summary>
    public static string DefaultPath(IReadOnlyDictionary<string, string?> environment) =>
        System.IO.Path.Combine(ConfigFile.Folder(environment), "ledger-state.json");

    /// <summary>Reads the state; a missing file is an empty state.</summary>
    /// <exception cref="LedgerSourceException">The file exists but cannot be read or is not a state file (exit code 2).</exception>
    public static LedgerState Load(string path)
    {
        if (!File.Exists(path))
            return new LedgerState(path, []);
        try
        {
            var file = JsonSerializer.Deserialize<StateFile>(File.ReadAllText(path), Json);
            var logs = file?.Logs?.Where(IsComplete).ToList()
                ?? throw new JsonException("It has no \"logs\" list.");
            return new LedgerState(path, logs);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new LedgerSourceException(ExitCodes.UsageOrConnection,
                $"cannot read the ledger state file {path}: {exception.Message} Fix or delete it, or pass --state-file.");
        }
    }

    /// <summary>The last checkpoint verified from <paramref name="source"/> for the log <paramref name="origin"/>.</summary>
    public LedgerStateEntry? Find(string source, string origin) =>
        Logs.Find(log => log.Source == source && log.Origin == origin);

    /// <summary>The most recently verified checkpoint of any log from <paramref name="source"/> (a server has one log).</summary>
    public LedgerStateEntry? LatestFrom(string source) =>
        Logs.Where(log => log.Source == source).MaxBy(log => log.VerifiedAt);

    /// <summary>The most recently verified checkpoint of the log <paramref name="origin"/>, from any source.</summary>
    public LedgerStateEntry? LatestOf(string origin) =>
        Logs.Where(log => log.Origin == origin).MaxBy(log => log.VerifiedAt);

    /// <summary>Records a verified checkpoint, replacing the previous one of the same source and origin, and saves the file.</summary>
    public void Save(LedgerStateEntry verified)
    {
        Logs.RemoveAll(log => log.Source == verified.Source && log.Origin == verified.Origin);
        Logs.Add(verified);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        // Written beside the file and moved over it, so an interrupted run never leaves half a state file.
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new StateFile(Logs), Json));
        File.Move(temporary, Path, overwrite: true);
    }

    private static bool IsComplete(LedgerStateEntry? log) =>
        log is { Source.Length: > 0, Origin.Length: > 0, VerifierKey.Length: > 0, RootHash.Length: > 0 } && log.TreeSize >= 0;

    private sealed record StateFile(List<LedgerStateEntry>? Logs);
}

/// <summary>One verified checkpoint: its size and root (hex), the verifier key that signed it, and when it was verified.</summary>
internal sealed record LedgerStateEntry(string Source, string Origin, long TreeSize, string RootHash, string VerifierKey, DateTime VerifiedAt);
