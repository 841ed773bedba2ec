using System.Diagnostics;

namespace ChangeTrail.Bench;

/// <summary>What one timed phase measured: operations completed inside the measured window, and their latencies.</summary>
internal sealed record PhaseResult(string Name, int Writers, long Operations, double Seconds, double[] SortedLatenciesMs, long Errors, string? FirstError)
{
    public double PerSecond => Operations / Seconds;

    public double P50 => Report.Percentile(SortedLatenciesMs, 0.50);

    public double P95 => Report.Percentile(SortedLatenciesMs, 0.95);

    public double P99 => Report.Percentile(SortedLatenciesMs, 0.99);

    public double Max => SortedLatenciesMs.Length == 0 ? double.NaN : SortedLatenciesMs[^1];

    /// <summary>Slices of one phase measured at different times, as one result.</summary>
    public static PhaseResult Merge(IReadOnlyList<PhaseResult> slices)
    {
        var latencies = slices.SelectMany(s => s.SortedLatenciesMs).ToArray();
        Array.Sort(latencies);
        return new PhaseResult(slices[0].Name, slices[0].Writers, slices.Sum(s => s.Operations), slices.Sum(s => s.Seconds), latencies,
            slices.Sum(s => s.Errors), slices.Select(s => s.FirstError).FirstOrDefault(e => e is not null));
    }
}

/// <summary>
/// Runs an operation in a closed loop on N concurrent writers: a warm-up, then a bounded measured window.
/// An operation counts when it completes inside the window; its latency is from its start to its completion.
/// </summary>
internal static class Phase
{
    public static async Task<PhaseResult> RunAsync(string name, int writers, TimeSpan warmup, TimeSpan duration, Func<int, Task> operation)
    {
        var begin = Stopwatch.GetTimestamp();
        var errors = 0L;
        string? firstError = null;
        var workers = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            var latencies = new List<double>(4096);
            while (true)
            {
                var started = Stopwatch.GetElapsedTime(begin);
                if (started >= warmup + duration)
                    return latencies;
                try
                {
                    await operation(writer);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.GetBaseException().Message}", null);
                    continue;
                }
                var ended = Stopwatch.GetElapsedTime(begin);
                if (ended >= warmup && ended < warmup + duration)
                    latencies.Add((ended - started).TotalMilliseconds);
            }
        })).ToArray();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new PhaseResult(name, writers, all.Length, duration.TotalSeconds, all, errors, firstError);
    }
}
