using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Server.Tests;

/// <summary>The answers the matrix speaks of: passed authorization, no credentials, or the refusal's problem type.</summary>
public static class Outcomes
{
    public const string Allowed = "allowed";
    public const string Unauthenticated = "unauthenticated";
    public const string ScopeRequired = "scope-required";
    public const string ScopeNotDelegable = "scope-not-delegable";
    public const string ServiceAccountCannotApprove = "service-account-cannot-approve";
    public const string RoleRequired = "role-required";
    public const string ApproverRoleRequired = "approver-role-required";
    public const string NotFound = "not-found";

    /// <summary>The refusals authorization gives, in the order of the legend; any other answer passed authorization.</summary>
    public static readonly IReadOnlyList<string> Refusals =
        [Unauthenticated, ServiceAccountCannotApprove, ScopeRequired, ScopeNotDelegable, RoleRequired, ApproverRoleRequired, NotFound];

    public static int StatusOf(string refusal) => refusal switch
    {
        Unauthenticated => 401,
        NotFound => 404,
        _ => 403,
    };
}

/// <summary>Who is calling, as the policy sees them: their roles, their token's scopes, and whether they made that token themself.</summary>
public sealed record CallerModel(bool Anonymous, bool ServiceAccount, IReadOnlySet<Role> Roles, IReadOnlySet<string> Scopes, bool Personal)
{
    public static readonly CallerModel Nobody = new(true, false, new HashSet<Role>(), new HashSet<string>(), false);

    public static readonly IReadOnlySet<string> EveryScope = Domain.Identity.Scopes.All.ToHashSet();

    /// <summary>
    /// The walk's pipeline identity: an Implementer and Auditor whose token holds every scope a service account may (an
    /// Admin makes its tokens, so no personal scope either).
    /// </summary>
    public static readonly CallerModel ServiceAccountCaller = new(false, true, new HashSet<Role> { Role.Implementer, Role.Auditor },
        Domain.Identity.Scopes.All.Where(s => Domain.Identity.Scopes.AllowedForServiceAccounts(s) && !Domain.Identity.Scopes.IsPersonal(s)).ToHashSet(),
        false);

    /// <summary>A person with <paramref name="role"/> and a token of their own with every scope.</summary>
    public static CallerModel Person(Role role) => new(false, false, new HashSet<Role> { role }, EveryScope, true);

    /// <summary>The same person with a token of their own holding every scope but <paramref name="scope"/>.</summary>
    public static CallerModel Without(Role role, string scope) => Person(role) with { Scopes = EveryScope.Where(s => s != scope).ToHashSet() };

    /// <summary>The same person with a token an Admin made them, every scope in it (stored as the rules before "Approvals are personal" stored it).</summary>
    public static CallerModel MadeByAdmin(Role role) => Person(role) with { Personal = false };
}

/// <summary>One operation of the OpenAPI document and who may call it.</summary>
public sealed record MatrixOperation(
    string Operation,
    string OperationId,
    string Area,
    bool Anonymous = false,
    string? Scope = null,
    IReadOnlyList<Role>? Roles = null,
    bool? ServiceAccounts = null,
    string? ServiceAccountRefusal = null,
    string? RoleRefusal = null,
    string? EveryRefusal = null,
    string? Note = null)
{
    public string Method => Operation.Split(' ', 2)[0];

    public string Route => Operation.Split(' ', 2)[1];

    public bool ChangesNothing => Method == "GET";
}

/// <summary>The Auditor role's only writes, and why each is one.</summary>
public sealed record AuditorWrites(string Policy, IReadOnlyList<string> Operations, string Why);

/// <summary>
/// authorization-matrix.json, the access policy of the REST API: for every operation, who may call it. The expected
/// answer to each caller follows from it by the legend's order of refusals (<see cref="Expected"/>), the order the server
/// checks them in.
/// </summary>
public sealed record AuthorizationMatrix(
    IReadOnlyList<string> About,
    IReadOnlyList<string> PersonalScopes,
    AuditorWrites AuditorWrites,
    IReadOnlyList<string> AfterAuthorization,
    IReadOnlyList<MatrixOperation> Operations)
{
    public const string RelativePath = "tests/ChangeTrail.Server.Tests/authorization-matrix.json";
    public const string DocRelativePath = "docs/authorization.md";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    /// <summary>The file as it is in the working tree now (not a copy in the build output), so an edit counts at once.</summary>
    public static AuthorizationMatrix Load() =>
        JsonSerializer.Deserialize<AuthorizationMatrix>(File.ReadAllText(InRepository(RelativePath)), Json)
        ?? throw new InvalidOperationException($"{RelativePath} is empty.");

    public static string InRepository(string relativePath) => Path.Combine(RepositoryRoot, relativePath);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChangeTrail.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No ChangeTrail.slnx above {AppContext.BaseDirectory}.");
    }

    public MatrixOperation? Find(string operation) => Operations.FirstOrDefault(o => o.Operation == operation);

    public bool IsPersonal(string scope) => PersonalScopes.Contains(scope);

    /// <summary>What <paramref name="caller"/> gets from <paramref name="operation"/>: the first refusal of the legend that applies, or <see cref="Outcomes.Allowed"/>.</summary>
    public string Expected(MatrixOperation operation, CallerModel caller)
    {
        if (operation.Anonymous)
            return Outcomes.Allowed;
        if (caller.Anonymous)
            return Outcomes.Unauthenticated;
        var refusal =
            caller.ServiceAccount && operation.ServiceAccounts == false ? operation.ServiceAccountRefusal ?? operation.EveryRefusal
            : operation.Scope is { } scope && !caller.Scopes.Contains(scope) ? Outcomes.ScopeRequired
            : operation.Scope is { } personal && IsPersonal(personal) && !caller.Personal ? Outcomes.ScopeNotDelegable
            : operation.Roles is { Count: > 0 } roles && !roles.Any(caller.Roles.Contains) ? operation.RoleRefusal ?? Outcomes.RoleRequired
            : null;
        return refusal is null ? Outcomes.Allowed : operation.EveryRefusal ?? refusal;
    }

    /// <summary>What in the file contradicts itself or the vocabulary; empty when it is sound.</summary>
    public IReadOnlyList<string> Inconsistencies()
    {
        var found = new List<string>();
        foreach (var duplicate in Operations.GroupBy(o => o.Operation).Where(g => g.Count() > 1))
            found.Add($"{duplicate.Key} is listed {duplicate.Count()} times.");
        foreach (var duplicate in Operations.GroupBy(o => o.OperationId).Where(g => g.Count() > 1))
            found.Add($"operationId {duplicate.Key} is listed {duplicate.Count()} times.");
        foreach (var op in Operations)
        {
            var name = $"{op.Operation} ({op.OperationId})";
            if (op.Operation.Split(' ') is not [var method, var route] || method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE") ||
                !route.StartsWith('/'))
                found.Add($"{name}: 'operation' is the HTTP method and the route template, e.g. \"GET /api/v1/changes\".");
            if (op.Anonymous)
            {
                if (op.Scope is not null || op.Roles is not null || op.ServiceAccounts is not null || op.ServiceAccountRefusal is not null ||
                    op.RoleRefusal is not null || op.EveryRefusal is not null)
                    found.Add($"{name}: an anonymous operation names no scope, roles or refusals.");
                continue;
            }
            if (op.Scope is { } scope && !Domain.Identity.Scopes.IsValid(scope))
                found.Add($"{name}: unknown scope '{scope}'.");
            if (op.Roles is { Count: 0 })
                found.Add($"{name}: leave 'roles' out for any role, rather than an empty list.");
            switch (op.ServiceAccounts)
            {
                case null:
                    found.Add($"{name}: say whether service accounts may call it ('serviceAccounts').");
                    break;
                case false when op.ServiceAccountRefusal is null && op.EveryRefusal is null:
                    found.Add($"{name}: a service account is refused with what? ('serviceAccountRefusal').");
                    break;
                case true when op.ServiceAccountRefusal is not null:
                    found.Add($"{name}: 'serviceAccountRefusal' only where service accounts may not call it.");
                    break;
                case true when op.Scope is { } held && !CallerModel.ServiceAccountCaller.Scopes.Contains(held):
                    found.Add($"{name}: a service account cannot hold '{held}', so it cannot call this.");
                    break;
                case true when op.Roles is { } roles && !roles.Any(RoleRules.AllowedForServiceAccounts.Contains):
                    found.Add($"{name}: a service account holds none of {string.Join(", ", roles)}, so it cannot call this.");
                    break;
                default:
                    break;
            }
            foreach (var refusal in new[] { op.ServiceAccountRefusal, op.RoleRefusal, op.EveryRefusal }.OfType<string>())
            {
                if (!Outcomes.Refusals.Contains(refusal) || refusal == Outcomes.Unauthenticated)
                    found.Add($"{name}: '{refusal}' is not a refusal of authorization ({string.Join(", ", Outcomes.Refusals.Skip(1))}).");
            }
            if (op.RoleRefusal is not null && op.Roles is null)
                found.Add($"{name}: 'roleRefusal' without 'roles'.");
        }
        if (!PersonalScopes.Order().SequenceEqual(Domain.Identity.Scopes.Personal.Order()))
            found.Add($"personalScopes lists {string.Join(", ", PersonalScopes)}; the server's are {string.Join(", ", Domain.Identity.Scopes.Personal)}.");
        foreach (var id in AuditorWrites.Operations.Where(id => Operations.All(o => o.OperationId != id)))
            found.Add($"auditorWrites names {id}, which is not an operation of the file.");
        foreach (var type in AfterAuthorization.Where(Outcomes.Refusals.Contains))
            found.Add($"afterAuthorization lists {type}, a refusal of authorization.");
        return found;
    }
}
