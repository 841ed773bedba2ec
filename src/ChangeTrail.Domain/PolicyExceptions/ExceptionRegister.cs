namespace ChangeTrail.Domain.PolicyExceptions;

/// <summary>
/// The approved exceptions a rule may find cited (policy 5), read once per command or gate question. Only the exceptions a
/// change cites count for it, and each lifts only its own control while it is in force.
/// </summary>
public sealed class ExceptionRegister(IReadOnlyList<PolicyException> approved)
{
    public static readonly ExceptionRegister None = new([]);

    public IReadOnlyList<PolicyException> Approved => approved;

    /// <summary>
    /// The exception among <paramref name="cited"/> that lifts <paramref name="gateCode"/> at <paramref name="at"/> and stays in
    /// force until <paramref name="until"/> (inclusive); the one lasting longest when several do.
    /// </summary>
    public PolicyException? Lifting(IReadOnlyCollection<Guid> cited, string gateCode, DateTime at, DateTime? until = null) =>
        cited.Count == 0
            ? null
            : approved.Where(e => cited.Contains(e.Id) && e.Control.Lifts(gateCode) && e.IsInForceAt(at) && (until is not { } end || end < e.ExpiresAt))
                .OrderByDescending(e => e.ExpiresAt).FirstOrDefault();
}
