using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Retention;

/// <summary>
/// How long change records are kept before the purge may remove them (policy 3.5: at least 12 months). Counted
/// in calendar months (<see cref="DateTime.AddMonths"/>), not days: twelve months after 29 February is 28 February.
/// </summary>
public sealed record RetentionPeriod
{
    /// <summary>Policy 3.5's floor.</summary>
    public const int MinimumMonths = 12;

    /// <summary>A hundred years: beyond it a value is a typing mistake, not a policy.</summary>
    public const int MaximumMonths = 1200;

    private RetentionPeriod(int months) => Months = months;

    public int Months { get; }

    /// <summary>The period of <paramref name="months"/> months, refused below the policy's 12.</summary>
    public static Result<RetentionPeriod> Of(int months) =>
        months switch
        {
            < MinimumMonths => new RetentionTooShort(months),
            > MaximumMonths => ValidationFailed.For("months", $"At most {MaximumMonths} months."),
            _ => new RetentionPeriod(months),
        };

    /// <summary>Records whose last action came before this instant are past retention at <paramref name="now"/>.</summary>
    public DateTime CutoffAt(DateTime now) => now.AddMonths(-Months);
}

/// <summary>Policy 3.5: change records are kept at least 12 months.</summary>
public sealed record RetentionTooShort(int Months)
    : DomainError(ErrorKind.Unprocessable, "retention-too-short", "Retention is shorter than the policy allows",
        $"{Months} months is less than the {RetentionPeriod.MinimumMonths} calendar months policy 3.5 requires change records to be kept."), IFieldErrors
{
    public IReadOnlyDictionary<string, string[]> FieldErrors =>
        new Dictionary<string, string[]> { ["months"] = [$"At least {RetentionPeriod.MinimumMonths} (policy 3.5)."] };
}
