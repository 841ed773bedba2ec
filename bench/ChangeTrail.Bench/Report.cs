using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ChangeTrail.Bench;

/// <summary>What every scenario prints: a header with the exact command and the machine, then aligned tables.</summary>
internal static partial class Report
{
    public const string Launcher = "dotnet run -c Release --project bench/ChangeTrail.Bench --";

    public static CultureInfo Invariant => CultureInfo.InvariantCulture;

    /// <summary>The scenario's name, the command that reproduces the run, the machine and any scenario facts.</summary>
    public static void Header(string title, IReadOnlyList<string> args, params (string Name, string Value)[] facts)
    {
        Console.WriteLine($"== ChangeTrail bench: {title}");
        var rows = new List<(string, string)>
        {
            ("command", Command(args)),
            ("started", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant)),
            ("machine", $"{Environment.ProcessorCount} logical cores, {CpuModel()}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):F1} GiB RAM"),
            ("os", $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})"),
            (".net", $"{RuntimeInformation.FrameworkDescription}, {Configuration} build, {(GCSettings.IsServerGC ? "server" : "workstation")} GC"),
        };
        if (File.Exists("/proc/loadavg"))
            rows.Add(("load", $"{string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} (1/5/15-min load average at start: other work on the machine skews figures)"));
        rows.AddRange(facts);
        var width = rows.Max(r => r.Item1.Length);
        foreach (var (name, value) in rows)
            Console.WriteLine($"   {name.PadRight(width)}  {value}");
        Console.WriteLine();
    }

    /// <summary>A table with a header row; columns after the first are right-aligned.</summary>
    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, c) => all.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        for (var r = 0; r < all.Count; r++)
        {
            var line = new StringBuilder("   ");
            for (var c = 0; c < all[r].Count; c++)
            {
                if (c > 0)
                    line.Append("  ");
                line.Append(c == 0 ? all[r][c].PadRight(widths[c]) : all[r][c].PadLeft(widths[c]));
            }
            Console.WriteLine(line.ToString().TrimEnd());
            if (r == 0)
                Console.WriteLine("   " + string.Join("  ", widths.Select(w => new string('-', w))));
        }
        Console.WriteLine();
    }

    /// <summary>A target line's verdict.</summary>
    public static string Verdict(bool met) => met ? "MET" : "NOT MET";

    /// <summary>The value at quantile <paramref name="q"/> (nearest rank) of sorted values; NaN when there are none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string F(double value, int decimals = 1) =>
        double.IsNaN(value) ? "-" : value.ToString("N" + decimals.ToString(Invariant), Invariant);

    public static string N(long value) => value.ToString("N0", Invariant);

    /// <summary>The command line that reproduces the run; any password in a connection string is masked.</summary>
    public static string Command(IReadOnlyList<string> args) =>
        Launcher + " " + string.Join(" ", args.Select(a => Quote(Password().Replace(a, "${key}=***"))));

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:,".Contains(c, StringComparison.Ordinal)) ? arg : $"'{arg}'";

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

#if DEBUG
    private const string Configuration = "Debug (figures not representative: use -c Release)";
#else
    private const string Configuration = "Release";
#endif

    [GeneratedRegex("(?<key>password|pwd)=[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex Password();
}
