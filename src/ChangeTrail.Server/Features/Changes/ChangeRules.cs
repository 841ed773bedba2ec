using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Calendar;
using ChangeTrail.Server.Features.PolicyExceptions;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>
/// What the lifecycle's rules are judged against besides the change itself: the risk questionnaire in force, the freeze
/// windows, and the approved exceptions a change may cite. Read once per command, so a step and the check that shows its
/// button see the same rules.
/// </summary>
public sealed record ChangeRules(RiskQuestionnaire Questionnaire, FreezeCalendar Freezes, ExceptionRegister Exceptions)
{
    public static async Task<ChangeRules> LoadAsync(ChangeTrailDbContext db, RiskQuestionnaire questionnaire, DateTime now,
        CancellationToken cancellationToken) =>
        new(questionnaire, await FreezeCalendars.InForceAsync(db, cancellationToken), await ExceptionRegisters.InForceAsync(db, now, cancellationToken));
}
