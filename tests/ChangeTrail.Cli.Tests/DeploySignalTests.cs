using System.Diagnostics;
using System.Text.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Pipeline;
using Shouldly;
using static ChangeTrail.Cli.Tests.StubServer;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// <c>changetrail deploy -- command</c> stopped by the CI (SIGTERM) while the command runs: the real <c>changetrail</c>
/// process, against <see cref="StubServer"/>, passes the signal on, waits for the command, records the deployment failed
/// with its exit code, and exits with it.
/// </summary>
public sealed class DeploySignalTests : IAsyncLifetime
{
    private const string Sha = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0";
    private readonly string _folder = Directory.CreateTempSubdirectory("changetrail-signal-").FullName;
    private StubServer _stub = null!;

    public async ValueTask InitializeAsync() => _stub = await StubServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _stub.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Sigterm_is_passed_to_the_command_and_the_deployment_recorded_failed()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "POSIX signals");
        var ct = TestContext.Current.CancellationToken;
        var gateId = Guid.NewGuid();
        var started = new DeploymentDto(Guid.NewGuid(), "CR-12", Guid.NewGuid(), "Upgrade", "api", "production", true, Sha, null,
            DeploymentStatus.Started, gateId, null, null, new PersonRef(Guid.NewGuid(), "pipeline"), DateTime.UtcNow, null);
        _stub.On("POST /api/v1/gate", Json(200, new GateResponse("allow", [], "CR-12", gateId, "api", "production", true, Sha, null, DateTime.UtcNow, [])));
        _stub.On("POST /api/v1/deployments", Json(201, started), Json(201, started with { Status = DeploymentStatus.Failed, ExitCode = 143 }));
        var ready = Path.Combine(_folder, "ready");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "changetrail.dll"), "deploy", "--change", "CR-12", "--service", "api", "--env", "production",
                     "--commit", Sha, "--", "sh", "-c", $"touch '{ready}'; exec sleep 60",
                 })
            start.ArgumentList.Add(argument);
        start.Environment["CHANGETRAIL_URL"] = _stub.Url;
        start.Environment["CHANGETRAIL_TOKEN"] = "ctp_test";
        start.Environment["XDG_CONFIG_HOME"] = _folder;
        using var cli = Process.Start(start)!;
        var stdout = cli.StandardOutput.ReadToEndAsync(ct);
        var stderr = cli.StandardError.ReadToEndAsync(ct);

        var waited = Stopwatch.StartNew();
        while (!File.Exists(ready) && !cli.HasExited && waited.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(50, ct);
        File.Exists(ready).ShouldBeTrue("the deploy command never started");
        using (var kill = Process.Start("kill", ["-TERM", cli.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync(ct);
        await cli.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

        var output = $"{await stdout}\n--- stderr ---\n{await stderr}";
        cli.ExitCode.ShouldBe(143, output);
        output.ShouldContain("warning: SIGTERM received and passed on to the deploy command; it exited with 143.");
        var deployments = _stub.Received.Where(r => r.Path == "/api/v1/deployments")
            .Select(r => JsonSerializer.Deserialize<DeploymentRequest>(r.Body, ApiJson.Options)!).ToList();
        deployments.Select(d => d.Status).ShouldBe([DeploymentStatus.Started, DeploymentStatus.Failed], output);
        deployments[1].ExitCode.ShouldBe(143);
        deployments[1].GateId.ShouldBe(gateId);
    }
}
