using System.Text;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Server.Tests;

/// <summary>Renders docs/authorization.md from <see cref="AuthorizationMatrix"/>: the policy by area, and every caller's expected answer.</summary>
public static class AuthorizationDoc
{
    public const string RegenerateVariable = "CHANGETRAIL_REGENERATE_DOCS";

    public const string RegenerateCommand =
        $"{RegenerateVariable}=1 dotnet test --project tests/ChangeTrail.Server.Tests -- --filter-class \"*AuthorizationPolicyTests\"";

    private static readonly (string Header, Role Role)[] RoleColumns =
    [
        ("Req", Role.Requestor), ("Appr", Role.ChangeApprover), ("SecRev", Role.SecurityReviewer), ("CAB", Role.CabMember),
        ("Impl", Role.Implementer), ("Aud", Role.Auditor), ("HoE", Role.HeadOfEngineering), ("SecOff", Role.SecurityOfficer), ("Admin", Role.Admin),
    ];

    private static readonly (string Cell, string Type, string Meaning)[] Answers =
    [
        ("✓", "", "passed authorization: a 2xx, or what the rules say next about the request or the record (400, 404, 409, 422, or a 403 such as not-the-requestor)"),
        ("401", "unauthenticated", "no credentials, or a token that is malformed, unknown, expired or revoked"),
        ("403 svc", "service-account-cannot-approve", "a service account, where only a person may call"),
        ("403 scope", "scope-required", "the token lacks the scope"),
        ("403 delegated", "scope-not-delegable", "a personal scope on a token its owner did not make themself"),
        ("403 role", "role-required", "the token's owner holds none of the roles"),
        ("403 approver", "approver-role-required", "the owner holds none of the approving roles the change needs"),
        ("404", "not-found", "hidden: the record is not found to this caller"),
    ];

    public static string Render(AuthorizationMatrix matrix)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line("# Who may call what");
        Line();
        Line($"<!-- Generated from {AuthorizationMatrix.RelativePath}; edit that file, then run: {RegenerateCommand} -->");
        Line();
        Line("The access policy of the REST API, operation by operation. It is generated from");
        Line($"[`{AuthorizationMatrix.RelativePath}`](../{AuthorizationMatrix.RelativePath}), and `AuthorizationMatrixTests` holds the");
        Line("server to it on SQLite and on PostgreSQL: it reads `/openapi/v1.json` from the running server and calls every operation");
        Line("as every caller below, each answer must be the one this page gives, and an operation the document has but the file");
        Line("lacks (or the reverse) fails the build. To change the policy, change the file and the code together, then regenerate");
        Line("this page:");
        Line();
        Line("```sh");
        Line(RegenerateCommand);
        Line("```");
        Line();
        Line("## How to read it");
        Line();
        Line("A call needs **both**: its token must carry the **scope**, and the token's owner must hold one of the **roles**");
        Line("(*any*: whatever roles they hold). A web session has every scope its user's roles allow. **Service accounts** are");
        Line("pipeline identities: they may hold only the Requestor, Implementer and Auditor roles and never `changes:approve` or");
        Line("`admin`; *no* says what one is answered. *Anyone* needs no credentials at all.");
        Line();
        Line("The answers; a refusal names the first reason that applies, in this order:");
        Line();
        Line("| answer | problem type | when |");
        Line("|---|---|---|");
        foreach (var (cell, type, meaning) in Answers)
            Line($"| {cell} | {(type.Length > 0 ? $"`{type}`" : "")} | {meaning} |");
        Line();
        Line($"{Join(matrix.Operations.Where(o => o.EveryRefusal is not null).Select(o => $"`{o.Operation}`"))} give one answer to");
        Line("every refusal, as their notes say.");
        Line();
        Line("Passing authorization is not the end of it: the rules about the record come next, and the notes name them (only the");
        Line("change's requestor edits it, nobody approves their own change, ...). Those are tested with the lifecycle and");
        Line("separation-of-duties tests; this page is about roles and scopes.");
        Line();
        Line("## Personal scopes");
        Line();
        Line($"{Join(matrix.PersonalScopes.Select(s => $"`{s}`"))} decide in a person's name, so they count only on a credential the person");
        Line("made for themself by proving who they are: a token from `POST /api/v1/auth/tokens` with their password (what");
        Line("`changetrail login` does), or one they make on their own *My tokens* page, or their own web session once they chose");
        Line("their own password. Nobody can make such a token for someone else, an Admin included; a token stored with one by the");
        Line("rules before this one is answered `403 scope-not-delegable` at every use. Service accounts never hold them.");
        Line();
        Line("## Auditors");
        Line();
        Line($"> {matrix.AuditorWrites.Policy}");
        Line();
        Line("The test holds this file to it: of the operations that change anything (every method but GET), the Auditor role");
        Line("opens only these:");
        Line();
        foreach (var id in matrix.AuditorWrites.Operations)
            Line($"- `{matrix.Operations.Single(o => o.OperationId == id).Operation}` ({id})");
        Line();
        Line(matrix.AuditorWrites.Why);
        Line();
        Line("An Auditor may also revoke their own tokens and make narrower ones for themself, as everyone may, and an export");
        Line("(`GET /api/v1/export`) is a read.");
        Line();
        Line("## Operations");
        foreach (var area in matrix.Operations.GroupBy(o => o.Area))
        {
            Line();
            Line($"### {area.Key}");
            Line();
            Line("| operation | scope | roles | service accounts | notes |");
            Line("|---|---|---|---|---|");
            foreach (var op in area)
            {
                if (op.Anonymous)
                {
                    Line($"| `{op.Operation}` {op.OperationId} | — | anyone | anyone | {op.Note} |");
                    continue;
                }
                var scope = op.Scope is null ? "any" : $"`{op.Scope}`{(matrix.IsPersonal(op.Scope) ? " (personal)" : "")}";
                var roles = op.Roles is null ? "any" : Join(op.Roles.Select(r => r.ToString()), "or");
                var serviceAccounts = op.ServiceAccounts == true ? "yes" : $"no: {Cell(matrix.Expected(op, CallerModel.ServiceAccountCaller))}";
                Line($"| `{op.Operation}` {op.OperationId} | {scope} | {roles} | {serviceAccounts} | {op.Note} |");
            }
        }
        Line();
        Line("## Every caller, every operation");
        Line();
        Line("What the test expects of each caller it walks with. The callers are made once per database through the public API:");
        Line("a person for each role (columns below) with a token of their own holding every scope; the walk's service account");
        Line("(*SA*: Implementer and Auditor, every scope a service account may hold); nobody (*anon.*). And, for every role, the");
        Line("same person with a token of their own holding every scope but the operation's (*−scope*, shown for the operation's");
        Line("first role) and with a token an Admin made them holding every scope (*by Admin*, likewise). Approvals are asked");
        Line("of a submitted high-risk change on a service with regulated data, which needs every approving role; every other step");
        Line("of a change, of an emergency under way that none of the callers requested or implements.");
        Line();
        Line($"Roles: {Join(RoleColumns.Select(c => $"*{c.Header}* {c.Role}"))}.");
        Line();
        Line($"| operation | anon. | {string.Join(" | ", RoleColumns.Select(c => c.Header))} | SA | −scope | by Admin |");
        Line($"|---|---|{string.Concat(RoleColumns.Select(_ => "---|"))}---|---|---|");
        foreach (var area in matrix.Operations.GroupBy(o => o.Area))
        {
            Line($"| **{area.Key}** | | {string.Concat(RoleColumns.Select(_ => " |"))} | | |");
            foreach (var op in area)
            {
                var first = op.Roles?[0] ?? Role.Requestor;
                var cells = new List<string> { Cell(matrix.Expected(op, CallerModel.Nobody)) };
                cells.AddRange(RoleColumns.Select(c => Cell(matrix.Expected(op, CallerModel.Person(c.Role)))));
                cells.Add(Cell(matrix.Expected(op, CallerModel.ServiceAccountCaller)));
                cells.Add(op.Scope is null || op.Anonymous ? "—" : Cell(matrix.Expected(op, CallerModel.Without(first, op.Scope))));
                cells.Add(Cell(matrix.Expected(op, CallerModel.MadeByAdmin(first))));
                Line($"| `{op.Operation}` | {string.Join(" | ", cells)} |");
            }
        }
        Line();
        Line("## Not covered here");
        Line();
        Line("Only what `/openapi/v1.json` describes. `/healthz`, `/readyz`, `/openapi/v1.json` and the reference at `/api/docs` are");
        Line("public and outside the document. The web UI's Razor pages (and the static assets) are not walked: they sign people in");
        Line("with a cookie, and a step taken on a page checks the same policy as its endpoint (`EndpointAuthorization.AccessPolicy`)");
        Line("and the same rules of the change; their own tests cover them.");
        return md.ToString();
    }

    private static string Cell(string outcome) =>
        outcome == Outcomes.Allowed ? "✓" : Answers.FirstOrDefault(a => a.Type == outcome).Cell ?? outcome;

    private static string Join(IEnumerable<string> items, string last = "and")
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list[..^1])} {last} {list[^1]}";
    }
}
