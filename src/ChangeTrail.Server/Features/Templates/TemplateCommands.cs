using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>A step on one template through <see cref="RecordCommand"/>, answered with the template's view.</summary>
public static class TemplateCommands
{
    public static async Task<Result<TemplateResponse>> RunAsync(RecordCommand command, string idOrName, Actor actor,
        Func<ChangeTemplate, DateTime, Task<Result<string>>> action, OnConflict onConflict, ChangeTrailDbContext db, Clock clock,
        RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var saved = await command.RunAsync(TemplateLookup.NotFound(idOrName).What,
            d => TemplateLookup.FindAsync(d.ChangeTemplates, idOrName, cancellationToken), LedgerSubjects.ChangeTemplate, actor, action,
            onConflict, cancellationToken);
        return saved.IsSuccess
            ? (await TemplateView.BuildAsync([saved.Value!], db, questionnaire, clock.UtcNow, cancellationToken))[0]
            : saved.Error!;
    }
}
