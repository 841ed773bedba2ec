using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>
/// PATCH /changes/{id}: JSON Merge Patch (RFC 7396) over the same fields as create; <c>null</c> clears a
/// field. Editing a submitted or approved change returns it to Draft and voids its approvals.
/// </summary>
public static class EditChange
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static void Map(RouteGroupBuilder changes) =>
        changes.MapPatch("/{idOrNumber}", HandleAsync).RequireAccess(Scopes.ChangesWrite).WithName(nameof(EditChange))
            .Accepts<ChangeFields>("application/merge-patch+json", "application/json")
            .WithSummary("Edit a change request (JSON Merge Patch)");

    private static async Task<Results<Ok<ChangeResponse>, ProblemHttpResult>> HandleAsync(string idOrNumber, HttpContext http,
        ClaimsPrincipal user, ChangeCommand command, ChangeTrailDbContext db, RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not ("application/merge-patch+json" or "application/json"))
            return Problems.Create(415, "unsupported-media-type", "Unsupported media type",
                "Send the patch as application/merge-patch+json (or application/json).");

        JsonObject patch;
        try
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, cancellationToken);
            var json = body.GetBuffer().AsMemory(0, (int)body.Length);
            if (json.Span.StartsWith(Utf8Bom))
                json = json[Utf8Bom.Length..];
            if (JsonNode.Parse(json.Span) is not JsonObject obj)
                return Problems.BadRequest("$", "A merge patch is a JSON object.");
            // Reading the patch's text alone as ChangeFields rejects unknown members, wrong types and escapes that are no
            // text (a lone surrogate), naming them; reading the parsed node instead threw on the last, a 500. A null
            // character is refused as in every other body (NullCharacters).
            var fields = JsonSerializer.Deserialize<ChangeFields>(json.Span, ApiJson.Options);
            if (NullCharacters.Find(fields) is { } field)
                return Problems.BadRequest(field, NullCharacters.Message);
            patch = obj;
        }
        catch (JsonException e)
        {
            return Problems.BadRequest(BadRequestExceptionHandler.FieldOf(e), BadRequestExceptionHandler.MessageOf(e));
        }

        return (await ExecuteAsync(idOrNumber, patch, user.ToActor(), ChangeHttp.ExpectedVersion(http), command, db, questionnaire, cancellationToken))
            .ToHttp(http);
    }

    public static Task<Result<ChangeResponse>> ExecuteAsync(string idOrNumber, JsonObject patch, Actor actor, int? expectedVersion,
        ChangeCommand command, ChangeTrailDbContext db, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        command.RunAsync(idOrNumber, actor, expectedVersion, async (change, actor, now, ct) =>
        {
            // Who may edit comes first: someone who may not is told so, not what would be wrong with their fields.
            var allowed = change.CanEdit(actor);
            if (!allowed.IsSuccess)
                return allowed;
            var current = JsonSerializer.SerializeToNode(FieldsOf(change), ApiJson.Options);
            var merged = JsonMergePatch.Apply(current, patch).Deserialize<ChangeFields>(ApiJson.Options)!;
            var input = await ChangeInput.ResolveAsync(merged, db, questionnaire, change.Exceptions, now, ct);
            if (!input.IsSuccess)
                return input.Error!;
            return change.Edit(actor, input.Value!.Type, input.Value.Content, input.Value.Services, questionnaire, now);
        }, OnConflict.Refuse, cancellationToken);

    /// <summary>The change as the document a patch applies to: the create body's shape, services, implementer and exceptions by id.</summary>
    public static ChangeFields FieldsOf(ChangeRequest change) => new(
        change.Type, change.Title, change.Purpose, change.Scope, change.ImpactAnalysis, change.RollbackPlan, change.TestPlan,
        change.TestResults, change.PlannedStart, change.PlannedEnd,
        change.Services.Select(s => s.ToString()).ToList(),
        change.RiskAnswers,
        change.ImplementerId?.ToString(),
        change.Commits.Select(c => new CommitDto(c.Sha, c.AuthorEmail)).ToList(),
        change.Links,
        null,
        change.EmergencyJustification,
        change.Exceptions.Select(e => e.ToString()).ToList());
}
