using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>With no configured code, the server writes one into its data folder, and removes it once setup is done.</summary>
public sealed class GeneratedSetupCodeTests : IAsyncLifetime
{
    private readonly NoConfiguredCodeApp _app = new();

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task The_generated_code_in_the_data_folder_works_once_and_is_then_deleted()
    {
        var client = _app.Anonymous(); // starts the server, which writes the code
        var path = Path.Combine(_app.DataDirectory, "setup-code");
        File.Exists(path).ShouldBeTrue();
        var code = (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).Trim();
        code.Length.ShouldBe(32);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, "whoever reads it can make themself the administrator");

        await client.PostAsync("/api/v1/setup", new SetupRequest("a@example.test", "A", "a long enough password", ChangeTrailApp.SetupCode))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "invalid-setup-code");
        (await client.PostAsync("/api/v1/setup", new SetupRequest("a@example.test", "A", "a long enough password", code)))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        File.Exists(path).ShouldBeFalse();
    }

    private sealed class NoConfiguredCodeApp() : ChangeTrailApp(TestProvider.Sqlite)
    {
        protected override bool SetUpOnStart => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ChangeTrail:SetupCode", "");
        }
    }
}
