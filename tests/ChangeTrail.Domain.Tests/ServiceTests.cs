using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Services;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class ServiceTests
{
    private static Result<Service> Create(string name, params ServiceEnvironment[] environments) =>
        Service.Create(Guid.NewGuid(), name, "https://git.example.test/payments", regulatedData: true, securityControl: false,
            environments, Clock.Now);

    [Fact]
    public void Create_keeps_the_name_its_normalized_form_flags_and_environments()
    {
        var service = Create("Payments-API", new ServiceEnvironment("staging", false), new ServiceEnvironment("production", true))
            .ShouldSucceed();

        service.Name.ShouldBe("Payments-API");
        service.NormalizedName.ShouldBe("payments-api");
        service.RegulatedData.ShouldBeTrue();
        service.SecurityControl.ShouldBeFalse();
        service.CreatedAt.ShouldBe(Clock.Now);
        service.Environments.Select(e => (e.Name, e.Production)).ShouldBe([("staging", false), ("production", true)]);
        service.Profile.ShouldBe(new ServiceProfile(service.Id, "Payments-API", true, false));
        service.Profile.NeedsSecuritySignOff.ShouldBeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("pay ments")]
    [InlineData("payments/api")]
    [InlineData("zahlungsverkehr-ä")]
    public void Create_refuses_an_empty_or_malformed_name(string name) =>
        Create(name).ShouldFailWith<ValidationFailed, Service>().Errors.Keys.ShouldBe(["name"]);

    [Fact]
    public void Create_refuses_a_name_over_100_characters() =>
        Create(new string('a', 101)).ShouldFailWith<ValidationFailed, Service>().Errors.Keys.ShouldBe(["name"]);

    [Fact]
    public void Create_refuses_environment_names_that_differ_only_by_case()
    {
        var error = Create("payments", new ServiceEnvironment("prod", true), new ServiceEnvironment("PROD", false))
            .ShouldFailWith<ValidationFailed, Service>();

        error.Errors.Keys.ShouldBe(["environments[1].name"]);
    }

    [Fact]
    public void Create_refuses_environment_names_that_differ_only_by_surrounding_spaces()
    {
        // Names are stored trimmed, so these two would both be stored as "prod".
        var result = Create("payments", new ServiceEnvironment("prod", true), new ServiceEnvironment("prod ", false));

        result.ShouldFailWith<ValidationFailed, Service>().Errors.Keys.ShouldBe(["environments[1].name"]);
    }

    [Fact]
    public void Create_refuses_a_blank_environment_name() =>
        Create("payments", new ServiceEnvironment(" ", true)).ShouldFailWith<ValidationFailed, Service>()
            .Errors.Keys.ShouldBe(["environments[0].name"]);

    [Fact]
    public void Create_treats_a_blank_repository_as_none()
    {
        var service = Service.Create(Guid.NewGuid(), "web", "  ", false, false, [], Clock.Now).ShouldSucceed();

        service.Repository.ShouldBeNull();
        service.Profile.NeedsSecuritySignOff.ShouldBeFalse();
    }

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(false, false, false)]
    public void A_profile_needs_security_sign_off_for_regulated_data_or_a_security_control(bool regulated, bool control, bool expected) =>
        new ServiceProfile(Guid.NewGuid(), "s", regulated, control).NeedsSecuritySignOff.ShouldBe(expected);
}
