using ChangeTrail.Domain.Changes;

namespace ChangeTrail.Server.Features.Dashboard;

/// <summary>One stacked segment of a week's bar.</summary>
public sealed record ChartSegment(ChangeType Type, int Count, double X, double Y, double Width, double Height, string Fill);

/// <summary>One week's bar: its segments bottom to top, and where its labels go.</summary>
public sealed record ChartBar(WeekCount Week, double CenterX, IReadOnlyList<ChartSegment> Segments);

/// <summary>A horizontal grid line and its value.</summary>
public sealed record ChartTick(int Value, double Y);

/// <summary>
/// The geometry of the weekly stacked bar chart, computed on the server so the page draws plain SVG (no script,
/// no inline style). Types are told apart by fill, by the legend's words, and by the table behind the chart.
/// </summary>
public sealed class WeeklyChart
{
    public const double Width = 640;
    public const double Height = 250;
    public const double Left = 40;
    public const double Right = 630;
    public const double Top = 40;
    public const double Baseline = 205;

    /// <summary>Bottom to top. Mid-tone fills read on both the light and the dark background.</summary>
    public static readonly IReadOnlyList<(ChangeType Type, string Fill)> Series =
    [
        (ChangeType.Normal, "#3b78c2"),
        (ChangeType.Standard, "#2e9160"),
        (ChangeType.Emergency, "#d1453b"),
    ];

    public WeeklyChart(IReadOnlyList<WeekCount> weeks)
    {
        var max = weeks.Count == 0 ? 0 : weeks.Max(w => w.Total);
        var step = NiceStep(max);
        Scale = Math.Max(step * (int)Math.Ceiling(max / (double)step), step);
        Ticks = Enumerable.Range(0, Scale / step + 1).Select(i => new ChartTick(i * step, Y(i * step))).ToList();

        var slot = (Right - Left) / Math.Max(weeks.Count, 1);
        var barWidth = Math.Round(slot * 0.6, 1);
        Bars = weeks.Select((week, i) =>
        {
            var center = Math.Round(Left + slot * (i + 0.5), 1);
            var below = 0;
            var segments = new List<ChartSegment>();
            foreach (var (type, fill) in Series)
            {
                var count = week.Of(type);
                if (count == 0)
                    continue;
                var top = Y(below + count);
                segments.Add(new ChartSegment(type, count, Math.Round(center - barWidth / 2, 1), top, barWidth, Math.Round(Y(below) - top, 1), fill));
                below += count;
            }
            return new ChartBar(week, center, segments);
        }).ToList();
        IsEmpty = max == 0;
    }

    /// <summary>The value at the top of the axis.</summary>
    public int Scale { get; }

    public IReadOnlyList<ChartTick> Ticks { get; }

    public IReadOnlyList<ChartBar> Bars { get; }

    public bool IsEmpty { get; }

    private double Y(int value) => Math.Round(Baseline - (Baseline - Top) * value / Scale, 1);

    /// <summary>1, 2 or 5 times a power of ten, so that the axis has at most five steps.</summary>
    private static int NiceStep(int max)
    {
        for (var magnitude = 1; ; magnitude *= 10)
        {
            foreach (var factor in (int[])[1, 2, 5])
            {
                if (max <= factor * magnitude * 5)
                    return factor * magnitude;
            }
        }
    }
}
