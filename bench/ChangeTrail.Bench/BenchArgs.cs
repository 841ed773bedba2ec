using System.Globalization;

namespace ChangeTrail.Bench;

/// <summary>
/// The command line of one scenario: its name, then <c>--name value</c> options (or <c>--name=value</c>).
/// Numbers may use <c>_</c> or <c>,</c> as digit separators (<c>--entries 1_000_000</c>).
/// </summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _options;

    private BenchArgs(IReadOnlyList<string> all, Dictionary<string, string> options)
    {
        All = all;
        _options = options;
    }

    /// <summary>Every argument as given, the scenario first: printed in the header as the exact command.</summary>
    public IReadOnlyList<string> All { get; }

    public static BenchArgs Parse(IReadOnlyList<string> args, params string[] allowed)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new BenchUsageException($"unexpected argument '{arg}'");
            var name = arg[2..];
            string value;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new BenchUsageException($"--{name} needs a value");
            }
            if (!allowed.Contains(name, StringComparer.Ordinal))
                throw new BenchUsageException($"unknown option --{name} (this scenario takes {string.Join(", ", allowed.Select(a => "--" + a))})");
            options[name] = value;
        }
        return new BenchArgs(args, options);
    }

    public string? Text(string name) => _options.GetValueOrDefault(name);

    public string Text(string name, string fallback) => _options.GetValueOrDefault(name) ?? fallback;

    public long Long(string name, long fallback) =>
        _options.TryGetValue(name, out var text) ? long.Parse(Digits(text), NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public int Int(string name, int fallback) => checked((int)Long(name, fallback));

    public double Double(string name, double fallback) =>
        _options.TryGetValue(name, out var text) ? double.Parse(Digits(text), NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    private static string Digits(string text) => text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
}

/// <summary>A command line the scenario cannot run: printed with the usage, exit code 2.</summary>
internal sealed class BenchUsageException(string message) : Exception(message);
