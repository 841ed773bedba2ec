using System.Net.Http.Json;
using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Auth;
using ChangeTrail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The callers and targets of the authorization walk, made once per server through the public API, and a harmless
/// request for every operation: real records to act on, chosen so the rules refuse after authorization without
/// changing what the other callers see (a change in a state no step of the walk can move, throwaway identities), and
/// fresh ones where a call that is allowed would change them (an approval).
/// </summary>
public sealed class AuthorizationWalk
{
    public sealed record Caller(string Name, CallerModel Model, ApiClient Client);

    private sealed record PersonCallers(Role Role, ApiClient Own, ApiClient MadeByAdmin, IReadOnlyDictionary<string, ApiClient> Without);

    private readonly Scenario _s;
    private readonly List<PersonCallers> _people = [];
    private ApiClient _serviceAccount = null!;
    private Person _requestor = null!;
    private string _service = "";
    private string _emergency = "";
    private string _exception = "";
    private string _template = "";
    private string _policyVersion = "";
    private readonly Dictionary<string, Guid> _ids = [];
    private string? _approvalTarget;
    private readonly SemaphoreSlim _approvalTargetLock = new(1, 1);

    private AuthorizationWalk(Scenario s) => _s = s;

    public static async Task<AuthorizationWalk> PrepareAsync(Scenario s, AuthorizationMatrix matrix)
    {
        var walk = new AuthorizationWalk(s);
        var scopes = matrix.Operations.Select(o => o.Scope).OfType<string>().Distinct().ToList();
        foreach (var role in Enum.GetValues<Role>())
        {
            var person = await s.PersonAsync(role);
            var own = s.App.As(await s.OwnTokenAsync(person, Scopes.All));
            var without = new Dictionary<string, ApiClient>();
            foreach (var scope in scopes)
                without[scope] = s.App.As(await s.OwnTokenAsync(person, Scopes.All.Where(x => x != scope).ToList()));
            walk._people.Add(new PersonCallers(role, own, s.App.As(await PlantTokenAnAdminMadeAsync(s.App, person.Id)), without));
        }
        walk._serviceAccount = (await s.ServiceAccountAsync(CallerModel.ServiceAccountCaller.Scopes.ToList(),
            [.. CallerModel.ServiceAccountCaller.Roles])).Client;

        // A regulated service: a high-risk change on it needs every approving slot (Change Approver, CAB, Security Team).
        walk._service = await s.ServiceAsync(regulatedData: true);
        walk._requestor = await s.PersonAsync(Role.Requestor);
        var implementer = await s.PersonAsync(Role.Implementer);
        // An emergency under way with its documentation incomplete: every step of the walk is refused on it after
        // authorization (not the requestor, not the implementer, not in this state, no reason given), none moves it.
        var fields = s.CompleteChange(walk._service, implementer: implementer.Id.ToString(), type: "Emergency") with
        {
            TestResults = null,
            EmergencyJustification = "Checkout is down for every customer.",
        };
        var emergency = await walk._requestor.CreateAsync(fields);
        walk._emergency = (await implementer.ActAsync(emergency.Number, "start")).Number;

        // Throwaway identities for the Admin's operations, one per operation so that none undoes another's target.
        walk._ids["DeactivateUser"] = await ThrowawayPersonAsync(s, "deactivate", Scenario.TemporaryPassword);
        walk._ids["ChangeRoles"] = await ThrowawayPersonAsync(s, "roles", Scenario.TemporaryPassword);
        walk._ids["CreateUserToken"] = await ThrowawayPersonAsync(s, "tokens", Scenario.TemporaryPassword);
        walk._ids["ReissueInvitation"] = await ThrowawayPersonAsync(s, "invited", password: null);
        walk._ids["CreateServiceAccountToken"] =
            (await s.Admin.PostJsonAsync<CreatedResponse>("/api/v1/service-accounts", new CreateServiceAccountRequest($"walk-{Scenario.Unique()}", [Role.Implementer]))).Id;
        // Someone else's token: revoking it again is harmless, so every caller the policy allows gets 204.
        walk._ids["RevokeToken"] = (await s.Admin.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{walk._ids["CreateUserToken"]}/tokens",
            new CreateTokenRequest("revoked by the walk", [Scopes.ChangesRead], null))).Id;
        // Evidence to read and download: test results the requestor's pipeline uploaded for the emergency.
        var uploader = s.App.As(await s.OwnTokenAsync(walk._requestor, [Scopes.EvidenceWrite]));
        var evidence = await ApiClient.ReadAsync<EvidenceResponse>(await uploader.PostFileAsync("/api/v1/evidence",
            new Dictionary<string, string> { ["change"] = walk._emergency, ["commit"] = "a1b2c3d4e5f6a7b8", ["kind"] = "unit" }, "walk.xml",
            Encoding.UTF8.GetBytes("<testsuite name=\"walk\"><testcase name=\"passes\"/></testsuite>")));
        walk._ids["GetEvidence"] = walk._ids["DownloadEvidence"] = evidence.Id;
        // A freeze to read and lift, of a service of its own, a year ahead: it stops none of the walk's changes. Lifting it again
        // is a conflict after authorization, so every caller the policy allows gets past it.
        var frozen = await s.ServiceAsync();
        var freezeStart = s.App.Time.GetUtcNow().UtcDateTime.Date.AddYears(1);
        walk._ids["GetFreezeWindow"] = walk._ids["LiftFreezeWindow"] = (await s.Admin.PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest("walk", freezeStart, freezeStart.AddDays(1), [frozen], null))).Id;
        // A rejected policy exception: deciding on it or revoking it is a conflict after authorization.
        var exception = await ApiClient.ReadAsync<PolicyExceptionResponse>(await walk._requestor.Client.PostAsync("/api/v1/exceptions",
            new PolicyExceptionRequest("walk", "freeze-window", "d", "r", "c", s.App.Time.GetUtcNow().UtcDateTime.AddDays(30))));
        var officer = await s.PersonAsync(Role.SecurityOfficer);
        walk._exception = (await ApiClient.ReadAsync<PolicyExceptionResponse>(await officer.Client.PostAsync(
            $"/api/v1/exceptions/{exception.Number}/approvals", new DecisionRequest(ApprovalDecision.Reject, "walk")))).Number;
        // A rejected Standard template: submitting, deciding on or retiring it again is refused after authorization.
        var template = await ApiClient.ReadAsync<TemplateResponse>(await walk._requestor.Client.PostAsync("/api/v1/templates",
            new TemplateRequest($"walk-{Scenario.Unique()}", "walk", null, [walk._service], ["production"], "p", "s", "i", "r", "t",
                Scenario.LowRiskAnswers)));
        (await walk._requestor.Client.PostAsync($"/api/v1/templates/{template.Name}/submit", new { })).EnsureSuccessStatusCode();
        walk._template = (await ApiClient.ReadAsync<TemplateResponse>(await (await s.PersonAsync(Role.ChangeApprover)).Client.PostAsync(
            $"/api/v1/templates/{template.Name}/approvals", new DecisionRequest(ApprovalDecision.Reject, "walk")))).Name;
        // A rejected version of the policy: deciding on it again is a conflict after authorization.
        var version = await s.Admin.PostJsonAsync<PolicyVersionResponse>("/api/v1/policy/versions", new ProposePolicyVersionRequest("walk", "walk"));
        walk._policyVersion = (await ApiClient.ReadAsync<PolicyVersionResponse>(await (await s.PersonAsync(Role.SecurityOfficer)).Client.PostAsync(
            $"/api/v1/policy/versions/{version.Number}/approvals", new DecisionRequest(ApprovalDecision.Reject, "walk")))).Number;
        return walk;
    }

    /// <summary>Nobody; then, for each role, its person with their own token, without the operation's scope, and with a token an Admin made; then the service account.</summary>
    public IEnumerable<Caller> CallersFor(MatrixOperation operation)
    {
        yield return new Caller("anonymous", CallerModel.Nobody, _s.App.Anonymous());
        foreach (var person in _people)
        {
            yield return new Caller($"{person.Role} (own token, every scope)", CallerModel.Person(person.Role), person.Own);
            if (operation.Scope is { } scope)
                yield return new Caller($"{person.Role} (own token without {scope})", CallerModel.Without(person.Role, scope), person.Without[scope]);
            yield return new Caller($"{person.Role} (token an Admin made, every scope)", CallerModel.MadeByAdmin(person.Role), person.MadeByAdmin);
        }
        yield return new Caller("service account (Implementer, Auditor)", CallerModel.ServiceAccountCaller, _serviceAccount);
    }

    public async Task<HttpRequestMessage> RequestAsync(MatrixOperation operation)
    {
        var (query, body) = Input(operation.OperationId);
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), await PathAsync(operation) + query);
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        else if (operation.Method is "POST" or "PUT" or "PATCH")
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>After each call: an approval that was recorded used its change up, so the next caller gets a fresh one.</summary>
    public void Answered(MatrixOperation operation, int status)
    {
        if (operation.OperationId == "ApprovalsChange" && status is >= 200 and < 300)
            _approvalTarget = null;
    }

    private async Task<string> PathAsync(MatrixOperation operation)
    {
        var path = operation.Route;
        if (path.Contains("{idOrNumber}", StringComparison.Ordinal))
            path = path.Replace("{idOrNumber}", operation.OperationId == "ApprovalsChange" ? await ApprovalTargetAsync()
                : path.StartsWith("/api/v1/exceptions/", StringComparison.Ordinal) ? _exception
                : _emergency);
        path = path.Replace("{number}", _policyVersion);
        path = path.Replace("{idOrName}", path.StartsWith("/api/v1/templates/", StringComparison.Ordinal) ? _template : _service);
        if (path.Contains("{id}", StringComparison.Ordinal) && _ids.TryGetValue(operation.OperationId, out var id))
            path = path.Replace("{id}", id.ToString());
        return path.Contains('{')
            ? throw new InvalidOperationException(
                $"The walk does not know what to put in {operation.Route} for {operation.OperationId}: give it a target in {nameof(AuthorizationWalk)}.")
            : path;
    }

    /// <summary>The query and body of each operation's request; by default none, and <c>{}</c> for a POST, PUT or PATCH.</summary>
    private static (string Query, object? Body) Input(string operationId) => operationId switch
    {
        "RunSetup" => ("", new SetupRequest($"walk-{Scenario.Unique()}@example.test", "Walk", ChangeTrailApp.AdminPassword, ChangeTrailApp.SetupCode)),
        "CreateUser" => ("", new CreateUserRequest($"walk-{Scenario.Unique()}@example.test", "Walk", [Role.Requestor], null)),
        "ChangeRoles" => ("", new ChangeRolesRequest([Role.Requestor])),
        "CreateUserToken" or "CreateServiceAccountToken" => ("", new CreateTokenRequest("walk", [Scopes.ChangesRead], null)),
        "CreateServiceAccount" => ("", new CreateServiceAccountRequest($"walk-{Scenario.Unique()}", [Role.Implementer])),
        "CreateService" => ("", new CreateServiceRequest($"walk-{Scenario.Unique()}", null, false, false, [new EnvironmentDto("production", true)])),
        "CreateChange" => ("", new { type = "Normal", title = "Drafted by the authorization walk" }),
        "ApprovalsChange" or "DecidePolicyException" or "DecideTemplate" or "DecidePolicyVersion" => ("", new DecisionRequest(ApprovalDecision.Approve, "The authorization walk")),
        "VerifyChange" => ("", new VerifyRequest(VerificationOutcome.Success, null)),
        "ListEntries" or "ListRecords" => ("?count=1", null),
        "GetInclusionProof" => ("?index=0&treeSize=1", null),
        "GetConsistencyProof" => ("?from=1&to=2", null),
        "SetRetention" => ("", new SetRetentionRequest(24)),
        "AskGate" => ("", new { change = "CR-1", service = "walk", environment = "production", commit = "a1b2c3d4e5f6a7b8" }),
        _ => ("", null),
    };

    /// <summary>A submitted high-risk change on the regulated service: every approving role has a slot to fill on it.</summary>
    private async Task<string> ApprovalTargetAsync()
    {
        await _approvalTargetLock.WaitAsync();
        try
        {
            if (_approvalTarget is null)
            {
                var draft = await _requestor.CreateAsync(_s.CompleteChange(_service, highRisk: true));
                _approvalTarget = (await _requestor.ActAsync(draft.Number, "submit")).Number;
            }
            return _approvalTarget;
        }
        finally
        {
            _approvalTargetLock.Release();
        }
    }

    private static async Task<Guid> ThrowawayPersonAsync(Scenario s, string purpose, string? password) =>
        (await s.Admin.PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest($"walk-{purpose}-{Scenario.Unique()}@example.test", $"Walk {purpose}", [Role.Requestor], password))).Id;

    /// <summary>
    /// A token with every scope that an Admin made for the person, stored as the rules before "Approvals are personal"
    /// stored it (by SQL: the API no longer makes one with a personal scope).
    /// </summary>
    private static async Task<string> PlantTokenAnAdminMadeAsync(ChangeTrailApp app, Guid owner)
    {
        var secret = TokenSecrets.Generate();
        var now = app.Time.GetUtcNow().UtcDateTime;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        db.ApiTokens.Add(new ApiToken
        {
            Id = Guid.NewGuid(),
            OwnerId = owner,
            Name = "made by an admin",
            TokenHash = TokenSecrets.Hash(secret),
            Prefix = TokenSecrets.DisplayPrefix(secret),
            Scopes = [.. Scopes.All],
            CreatedById = app.AdminId,
            CreatedAt = now,
            ExpiresAt = now.AddDays(30),
        });
        await db.SaveChangesAsync();
        return secret;
    }
}
