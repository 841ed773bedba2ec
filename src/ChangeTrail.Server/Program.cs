using ChangeTrail.Contracts;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Demo;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Features.Retention;
using ChangeTrail.Server.Features.Risk;
using ChangeTrail.Server.Features.ServiceAccounts;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Features.Setup;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;

var demo = DemoData.TakeSwitch(ref args);
var builder = WebApplication.CreateBuilder(args);
var options = builder.Configuration.GetSection(ChangeTrailOptions.Section).Get<ChangeTrailOptions>() ?? new ChangeTrailOptions();
builder.Services.Configure<ChangeTrailOptions>(builder.Configuration.GetSection(ChangeTrailOptions.Section));

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<Clock>();
builder.Services.AddSingleton<SetupCode>();
builder.Services.AddSingleton(DefaultRiskQuestionnaire.Instance);
builder.Services.AddChangeTrailDatabase(builder.Configuration, options);
builder.Services.AddScoped<ChangeCommand>();
builder.Services.AddChangeTrailLedger();
builder.Services.AddChangeTrailRetention();

builder.Services.AddChangeTrailIdentity();
builder.Services.AddChangeTrailAuthentication();
builder.Services.AddChangeTrailReverseProxy(options);
builder.Services.AddAuthorizationBuilder()
    // Deny by default: an endpoint is public only when it says AllowAnonymous.
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
builder.Services.AddSingleton<IAuthorizationHandler, ExplainedRequirementHandler>();
builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

builder.Services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
builder.Services.AddChangeTrailOpenApi();
builder.Services.AddChangeTrailWeb();

var app = builder.Build();

if (args.FirstOrDefault() == "migrate")
{
    await Database.MigrateAsync(app.Services);
    app.Logger.LogInformation("Database migrated.");
    return;
}

await Database.MigrateAsync(app.Services);
// A missing or malformed checkpoint signing key stops the server here, not at its first checkpoint.
app.Services.GetRequiredService<SigningKeyProvider>();
// Likewise a key-encryption key that cannot read the Data Protection key ring the other instances use.
KeyRing.EnsureReadable(app.Services);
if (!await DemoData.SeedIfRequestedAsync(app, demo))
    return;
await using (var scope = app.Services.CreateAsyncScope())
{
    if (!await RunSetup.IsDoneAsync(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>(), CancellationToken.None))
        app.Services.GetRequiredService<SetupCode>().Announce();
}

// First: behind a trusted TLS proxy, everything after sees the client's scheme and address (ReverseProxy).
app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseHsts();
app.UseSecurityHeaders();
app.UseWhen(http => http.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api"), web => web.UseStatusCodePagesWithReExecute("/status/{0}"));
// Routing after the status pages, so a re-executed request (/status/404) is routed afresh.
app.UseRouting();
app.UseAuthentication();
app.UseMiddleware<IdempotencyMiddleware>();
app.UseAuthorization();
app.UseAntiforgery();

app.MapHealth();
app.MapStaticAssets().AllowAnonymous();
app.MapRazorPages();
app.MapChangeTrailOpenApi();

var api = app.MapGroup("/api/v1");
RunSetup.Map(api);
api.MapUsers();
CreateServiceAccount.Map(api);
RevokeToken.Map(api);
var services = api.MapGroup("/services").WithTags("Services");
CreateService.Map(services);
ListServices.Map(services);
GetQuestionnaire.Map(api);
api.MapChanges();
api.MapLedger();
api.MapRetention();
ChangeTrail.Server.Features.Export.ExportBundle.Map(api);

await app.RunAsync();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
