using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Calendar;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>
/// What the lifecycle's rules are judged against besides the change itself: the risk questionnaire in force and the freeze
/// windows. Read once per command, so a step and the check that shows its button see the same rules.
/// </summary>
public sealed record ChangeRules(RiskQuestionnaire Questionnaire, FreezeCalendar Freezes)
{
    public static async Task<ChangeRules> LoadAsync(ChangeTrailDbContext db, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        new(questionnaire, await FreezeCalendars.InForceAsync(db, cancellationToken));
}
