using ChangeTrail.Domain.Identity;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class IdentityTests
{
    [Theory]
    [InlineData("changes:read")]
    [InlineData("changes:write")]
    [InlineData("changes:approve")]
    [InlineData("gate")]
    [InlineData("gate:production")]
    [InlineData("gate:eu-west_1.prod")]
    [InlineData("deployments:write")]
    [InlineData("evidence:write")]
    [InlineData("snapshots:write")]
    [InlineData("findings:triage")]
    [InlineData("ledger:read")]
    [InlineData("admin")]
    public void IsValid_accepts_known_scopes_and_gate_per_environment(string scope) =>
        Scopes.IsValid(scope).ShouldBeTrue();

    [Theory]
    [InlineData("")]
    [InlineData("changes")]
    [InlineData("changes:delete")]
    [InlineData("Admin")]
    [InlineData("GATE")]
    [InlineData("gate:")]
    [InlineData("gate:prod uction")]
    [InlineData("gate:prod/eu")]
    [InlineData("gate:*")]
    [InlineData(" gate")]
    [InlineData("ledger:write")]
    public void IsValid_refuses_unknown_scopes(string scope) =>
        Scopes.IsValid(scope).ShouldBeFalse();

    [Fact]
    public void All_lists_every_fixed_scope_once_and_each_is_valid()
    {
        Scopes.All.ShouldBeUnique();
        Scopes.All.ShouldAllBe(s => Scopes.IsValid(s));
        Scopes.All.ShouldNotContain(s => s.StartsWith(Scopes.GatePrefix, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "gate" }, "gate:production", true)]
    [InlineData(new[] { "gate" }, "gate:staging", true)]
    [InlineData(new[] { "gate" }, "gate", true)]
    [InlineData(new[] { "gate:production" }, "gate:production", true)]
    [InlineData(new[] { "gate:production" }, "gate:staging", false)]
    [InlineData(new[] { "gate:production" }, "gate", false)]
    [InlineData(new[] { "changes:read" }, "changes:write", false)]
    [InlineData(new[] { "changes:read", "changes:write" }, "changes:write", true)]
    [InlineData(new[] { "admin" }, "changes:write", false)]
    [InlineData(new[] { "admin" }, "gate:production", false)]
    [InlineData(new string[0], "gate:production", false)]
    public void Covers_matches_exactly_except_that_gate_covers_every_environment(string[] granted, string required, bool expected) =>
        Scopes.Covers(granted.ToHashSet(), required).ShouldBe(expected);

    [Fact]
    public void Service_accounts_may_only_request_implement_and_audit()
    {
        RoleRules.AllowedForServiceAccounts.ShouldBe([Role.Requestor, Role.Implementer, Role.Auditor], ignoreOrder: true);
        RoleRules.AllowedForServiceAccounts.ShouldNotContain(Role.ChangeApprover);
        RoleRules.AllowedForServiceAccounts.ShouldNotContain(Role.Admin);
    }

    [Fact]
    public void Actor_Has_and_HasAny_look_at_its_roles()
    {
        var actor = People.Person("cab", Role.CabMember, Role.Requestor);

        actor.Has(Role.CabMember).ShouldBeTrue();
        actor.Has(Role.ChangeApprover).ShouldBeFalse();
        actor.HasAny(Role.ChangeApprover, Role.Requestor).ShouldBeTrue();
        actor.HasAny(Role.ChangeApprover, Role.SecurityOfficer).ShouldBeFalse();
        actor.HasAny().ShouldBeFalse();
    }
}
