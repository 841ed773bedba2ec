using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Evidence;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ChangeTrail.Server.Features.Evidence;

/// <summary>
/// POST /evidence (multipart: <c>file</c>, <c>change</c>?, <c>commit</c>, <c>kind</c>, <c>environment</c>?): test results a
/// pipeline ran (policy 3.4). The file is streamed to disk while it is hashed and counted — never held whole in memory —,
/// parsed from there, and kept with its record and ledger entry only when all of it is valid: a refused upload stores nothing.
/// </summary>
public static class UploadEvidence
{
    /// <summary>Room in a request for the form's other parts and the multipart framing, beyond the file itself.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    /// <summary>The longest value of a form field other than the file.</summary>
    public const int FieldMaxBytes = 1024;

    public static void Map(RouteGroupBuilder api)
    {
        var limits = ((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<IOptions<ChangeTrailOptions>>();
        api.MapPost("/evidence", HandleAsync)
            .RequireAccess(Scopes.EvidenceWrite, Role.Implementer, Role.Requestor)
            // The server's 1 MiB body limit is raised for this endpoint alone, to the evidence limit and the form around it.
            .WithMetadata(new EvidenceSizeLimit(limits))
            // No Accepts metadata: it would refuse another content type before authorization, telling a caller without the
            // right to upload how to format an upload. The handler refuses it instead (415).
            .WithName(nameof(UploadEvidence)).WithTags("Pipeline")
            .WithSummary("Upload test results (JUnit XML, TRX or SARIF 2.1.0) for a commit, and optionally a change");
    }

    private sealed class EvidenceSizeLimit(IOptions<ChangeTrailOptions> options) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => options.Value.Evidence.MaxFileBytes + FormOverheadBytes;
    }

    private sealed record Fields(string? Change, string? Commit, string? Kind, string? Environment);

    private static async Task<Results<Created<EvidenceResponse>, ProblemHttpResult>> HandleAsync(HttpRequest request, ClaimsPrincipal user,
        ChangeTrailDbContext db, EvidenceStore store, Clock clock, IOptions<ChangeTrailOptions> options, CancellationToken cancellationToken)
    {
        var boundary = BoundaryOf(request);
        if (boundary is null)
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send multipart/form-data",
                "Upload evidence as multipart/form-data, with the results file in a part named 'file' (curl -F file=@results.xml).");

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = FieldMaxBytes * 8 };
        string? change = null, commit = null, kind = null, environment = null;
        EvidenceStore.Upload? upload = null;
        string fileName = "";
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    return Problems.BadRequest("file", "A part of the form has no Content-Disposition.");
                var name = disposition.Name.Value;
                if (disposition.IsFileDisposition() || name == "file")
                {
                    if (name != "file")
                        return Problems.BadRequest(name ?? "file", "The results file goes in the part named 'file'.");
                    if (upload is not null)
                        return Problems.BadRequest("file", "Send one file per upload.");
                    fileName = disposition.FileName.Value ?? disposition.FileNameStar.Value ?? "evidence";
                    upload = await store.ReceiveAsync(section.Body, options.Value.Evidence.MaxFileBytes, cancellationToken);
                    if (upload is null)
                        return Problems.From(new EvidenceTooLarge(options.Value.Evidence.MaxFileBytes));
                    continue;
                }
                var value = await ReadFieldAsync(section, cancellationToken);
                if (value is null)
                    return Problems.BadRequest(name ?? "form", $"A form field is at most {FieldMaxBytes} bytes.");
                switch (name)
                {
                    case "change": change = value; break;
                    case "commit": commit = value; break;
                    case "kind": kind = value; break;
                    case "environment": environment = value; break;
                    default: return Problems.BadRequest(name ?? "form", "Unknown form field: send file, change, commit, kind and environment only.");
                }
            }
            var result = await ExecuteAsync(new Fields(change, commit, kind, environment), upload, fileName, user.ToActor(), db, store, clock,
                options.Value.Evidence.SecurityFailLevel, cancellationToken);
            return result.IsSuccess
                ? TypedResults.Created($"/api/v1/evidence/{result.Value!.Id}", result.Value)
                : Problems.From(result.Error!);
        }
        catch (InvalidDataException e)
        {
            // The multipart framing itself is broken (a missing boundary, oversized headers).
            return Problems.BadRequest("file", e.Message);
        }
        finally
        {
            if (upload is not null)
                await upload.DisposeAsync();
        }
    }

    private static async Task<Result<EvidenceResponse>> ExecuteAsync(Fields fields, EvidenceStore.Upload? upload, string fileName, Actor actor,
        ChangeTrailDbContext db, EvidenceStore store, Clock clock, FindingLevel failLevel, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (upload is null)
            errors.Add("file", "Attach the results file in a part named 'file'.");
        CommitRef.Validate(errors, "commit", fields.Commit);
        if (!Enum.TryParse<EvidenceKind>(fields.Kind, ignoreCase: true, out var kind) || int.TryParse(fields.Kind, out _))
            errors.Add("kind", "Say which suite this is: unit, integration, security or smoke.");
        ChangeRequest? change = null;
        if (!string.IsNullOrWhiteSpace(fields.Change))
        {
            change = await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().ByIdOrNumber(fields.Change.Trim()).SingleOrDefaultAsync(cancellationToken);
            if (change is null)
                errors.Add("change", $"No change request {fields.Change.Trim()} exists.");
        }
        if (errors.Any)
            return (ValidationFailed)errors.ToResult().Error!;

        await using var content = new FileStream(upload!.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        var parsed = await EvidenceParser.ParseAsync(content, cancellationToken);
        if (!parsed.IsSuccess)
            return parsed.Error!;
        var now = clock.UtcNow;
        var recorded = TestEvidence.Record(Guid.NewGuid(), change?.Id, fields.Commit!, kind, fields.Environment, fileName, upload.Length,
            upload.Sha256, parsed.Value!, failLevel, actor.Id, now);
        if (!recorded.IsSuccess)
            return recorded.Error!;

        var evidence = recorded.Value!;
        store.Keep(upload);
        db.Evidence.Add(evidence);
        db.Record(LedgerSubjects.Evidence, actor.Id, "uploaded", evidence, now);
        await db.SaveChangesAsync(cancellationToken);
        return await EvidenceView.BuildAsync(evidence, change?.DisplayNumber, db, cancellationToken);
    }

    private static string? BoundaryOf(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ||
            !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return null;
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        return string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200 ? null : boundary;
    }

    /// <summary>A text field's value, or null when it is longer than a field may be.</summary>
    private static async Task<string?> ReadFieldAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        var buffer = new byte[FieldMaxBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await section.Body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            total += read;
        if (total > FieldMaxBytes)
            return null;
        return System.Text.Encoding.UTF8.GetString(buffer, 0, total).Trim();
    }
}
