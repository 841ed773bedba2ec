using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.Changes;

/// <summary>
/// A legal hold on a change (policy 3.5): the change is kept whatever the retention period says, for a reason
/// given by the Admin or Auditor who placed it, until the hold is released. A change with no hold has none (null).
/// </summary>
public sealed record LegalHold(string Reason, Guid PlacedById, DateTime PlacedAt)
{
    public const int ReasonMaxLength = 1000;

    /// <summary>Whether <paramref name="actor"/> may place or release holds at all: an Admin or an Auditor.</summary>
    internal static Result MayBeSetBy(Actor actor, string action) =>
        actor.HasAny(Role.Admin, Role.Auditor) ? Result.Success : new RoleRequired(action, [nameof(Role.Admin), nameof(Role.Auditor)]);

    /// <summary>A hold placed now by <paramref name="actor"/>, or the refusal of its reason: one must be given, within the limit.</summary>
    internal static Result<LegalHold> Place(Actor actor, string? reason, DateTime now)
    {
        var given = reason?.Trim();
        if (string.IsNullOrEmpty(given))
            return ValidationFailed.For("reason", "Say why the change must be kept.");
        if (ValidationFailed.TooLong("reason", given, ReasonMaxLength) is { } tooLong)
            return tooLong;
        return new LegalHold(given, actor.Id, now);
    }
}
