using System.Text.Json;
using System.Text.Json.Nodes;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Changes;

/// <summary>The change form as a browser posts it: one field per policy 3.2 item, commits, links and cited exceptions one per line.</summary>
public sealed class ChangeForm
{
    public ChangeType Type { get; set; } = ChangeType.Normal;
    public string? Title { get; set; }
    public string? Purpose { get; set; }
    public string? Scope { get; set; }
    public string? ImpactAnalysis { get; set; }
    public string? RollbackPlan { get; set; }
    public string? TestPlan { get; set; }
    public string? TestResults { get; set; }
    public DateTime? PlannedStart { get; set; }
    public DateTime? PlannedEnd { get; set; }
    public List<string> Services { get; set; } = [];
    public Dictionary<string, string> RiskAnswers { get; set; } = [];
    public string? Implementer { get; set; }
    public string? Commits { get; set; }
    public string? Links { get; set; }
    public string? Exceptions { get; set; }
    public string? EmergencyJustification { get; set; }
    public int? Version { get; set; }

    /// <summary>The API's shape of the same content, so the form goes through the same use cases and rules.</summary>
    public ChangeFields ToFields() => new(
        Type, Title, Purpose, Scope, ImpactAnalysis, RollbackPlan, TestPlan, TestResults,
        PlannedStart is { } s ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : null,
        PlannedEnd is { } e ? DateTime.SpecifyKind(e, DateTimeKind.Utc) : null,
        Services,
        RiskAnswers.Where(a => !string.IsNullOrEmpty(a.Value)).ToDictionary(a => a.Key, a => a.Value),
        string.IsNullOrWhiteSpace(Implementer) ? null : Implementer,
        CommitsOf(Commits),
        Lines(Links).ToList(),
        null,
        EmergencyJustification,
        Lines(Exceptions).ToList());

    public static ChangeForm From(ChangeResponse change) => new()
    {
        Type = change.Type,
        Title = change.Title,
        Purpose = change.Purpose,
        Scope = change.Scope,
        ImpactAnalysis = change.ImpactAnalysis,
        RollbackPlan = change.RollbackPlan,
        TestPlan = change.TestPlan,
        TestResults = change.TestResults,
        PlannedStart = change.PlannedStart,
        PlannedEnd = change.PlannedEnd,
        Services = change.Services.Select(s => s.Name).ToList(),
        RiskAnswers = change.RiskAnswers.ToDictionary(),
        Implementer = change.Implementer?.Id.ToString(),
        Commits = string.Join('\n', change.Commits.Select(c => c.AuthorEmail is null ? c.Sha : $"{c.Sha} {c.AuthorEmail}")),
        Links = string.Join('\n', change.Links),
        Exceptions = string.Join('\n', change.Exceptions.Select(e => e.Number)),
        EmergencyJustification = change.EmergencyJustification,
        Version = change.Version,
    };

    /// <summary>The commits box, one per line: the SHA, optionally followed by its author's email. A template's Standard change form reads it the same way.</summary>
    public static List<CommitDto> CommitsOf(string? text) =>
        Lines(text).Select(line => line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(parts => new CommitDto(parts[0], parts.Length > 1 ? parts[1] : null)).ToList();

    private static string[] Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// New and edit change: every policy 3.2 field, the services, the window and the risk questionnaire, with
/// the risk computed live in the browser and again, authoritatively, by the same rules the API uses.
/// </summary>
public sealed class EditModel(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, ChangeCommand command) : ChangeTrailPage
{
    [BindProperty]
    public ChangeForm Form { get; set; } = new();

    [FromRoute]
    public string? IdOrNumber { get; set; }

    public bool IsNew => IdOrNumber is null;

    public string? Number { get; private set; }

    public RiskQuestionnaire Questionnaire => questionnaire;

    public IReadOnlyList<(string Name, bool SecuritySensitive)> ServiceChoices { get; private set; } = [];

    public IReadOnlyList<(string Id, string Name)> Implementers { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!IsNew)
        {
            var change = await GetChange.ExecuteAsync(IdOrNumber!, db, clock, questionnaire, cancellationToken);
            if (!change.IsSuccess)
                return NotFound();
            var allowed = (await db.ChangeRequests.AsNoTracking().SingleAsync(c => c.Id == change.Value!.Id, cancellationToken)).CanEdit(Viewer);
            if (!allowed.IsSuccess)
            {
                Notice = allowed.Error!.Detail;
                return Redirect($"/changes/{change.Value!.Number}");
            }
            Form = ChangeForm.From(change.Value!);
            Number = change.Value!.Number;
        }
        else if (!Viewer.Has(Role.Requestor))
        {
            return Forbid();
        }
        await LoadChoicesAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = IsNew
            ? await CreateChange.ExecuteAsync(Form.ToFields(), Viewer, db, clock, questionnaire, cancellationToken)
            : await EditChange.ExecuteAsync(IdOrNumber!, AsPatch(Form.ToFields()), Viewer, Form.Version, command, db, questionnaire, cancellationToken);
        if (result.IsSuccess)
        {
            Notice = IsNew ? $"{result.Value!.Number} saved as a draft." : $"{result.Value!.Number} saved.";
            return Redirect($"/changes/{result.Value!.Number}");
        }
        ShowRefusal(result.Error!);
        Number = IsNew ? null : IdOrNumber;
        await LoadChoicesAsync(cancellationToken);
        return Page();
    }

    /// <summary>The whole form as a merge patch: every field is sent, so an emptied field is cleared.</summary>
    private static JsonObject AsPatch(ChangeFields fields) =>
        JsonSerializer.SerializeToNode(fields, ApiJson.Options)!.AsObject();

    private async Task LoadChoicesAsync(CancellationToken cancellationToken)
    {
        ServiceChoices = (await db.Services.AsNoTracking().OrderBy(s => s.NormalizedName).ToListAsync(cancellationToken))
            .Select(s => (s.Name, s.RegulatedData || s.SecurityControl)).ToList();
        Implementers = await ChangeInput.ImplementerChoicesAsync(db, cancellationToken);
    }

    /// <summary>The first error recorded for a form field, for fields Razor's tag helpers cannot name (dictionary entries).</summary>
    public string? ErrorFor(string key) =>
        ModelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0 ? entry.Errors[0].ErrorMessage : null;

    /// <summary>Every error recorded for a form field: a list field (one exception per line) can have one per line.</summary>
    public IReadOnlyList<string> ErrorsFor(string key) =>
        ModelState.TryGetValue(key, out var entry) ? entry.Errors.Select(e => e.ErrorMessage).ToList() : [];
}
