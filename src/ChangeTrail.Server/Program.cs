using ChangeTrail.Contracts;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features;
using ChangeTrail.Server.Features.Calendar;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Demo;
using ChangeTrail.Server.Features.Gate;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Features.Policy;
using ChangeTrail.Server.Features.PolicyExceptions;
using ChangeTrail.Server.Features.Retention;
using ChangeTrail.Server.Features.Risk;
using ChangeTrail.Server.Features.ServiceAccounts;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Features.Setup;
using ChangeTrail.Server.Features.SignIn;
using ChangeTrail.Server.Features.Templates;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;

var demo = DemoData.TakeSwitch(ref args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot.Default(args) });
// MapStaticAssets answers a browser that accepts gzip with the gzip copy. In build output (dotnet run) those
// copies live under obj/ and are found only through the static web assets manifest, which ASP.NET Core reads by
// itself in Development alone; elsewhere the browser got an empty 200 and an unstyled page. Published output has
// no such manifest (its wwwroot holds the copies), so there this does nothing.
builder.WebHost.UseStaticWebAssets();
// And outside Development, build output serves them as published output does: the build's compressed copies
// under the build's ETags, so a revalidation gets its 304. ASP.NET Core's default for build output assumes
// someone is editing wwwroot and compresses afresh on every request, under an ETag no 304 honours.
if (!builder.Environment.IsDevelopment() && builder.Configuration["ReloadStaticAssetsAtRuntime"] is null)
    builder.Configuration.AddInMemoryCollection([new("ReloadStaticAssetsAtRuntime", "false")]);

var options = builder.Configuration.GetSection(ChangeTrailOptions.Section).Get<ChangeTrailOptions>() ?? new ChangeTrailOptions();
builder.Services.Configure<ChangeTrailOptions>(builder.Configuration.GetSection(ChangeTrailOptions.Section));

// Every request body is bounded (docs/api.md, "Limits"); RequestBodyLimit holds servers without such a limit (tests) to it.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.Limits.MaxRequestBodyBytes);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<Clock>();
builder.Services.AddSingleton<SetupCode>();
builder.Services.AddSingleton(DefaultRiskQuestionnaire.Instance);
builder.Services.AddChangeTrailDatabase(builder.Configuration, options);
builder.Services.AddScoped<ChangeCommand>();
builder.Services.AddScoped<RecordCommand>();
builder.Services.AddSingleton<ChangeTrail.Server.Features.Evidence.EvidenceStore>();
builder.Services.AddChangeTrailLedger();
builder.Services.AddChangeTrailRetention();

builder.Services.AddChangeTrailIdentity();
builder.Services.AddChangeTrailAuthentication();
builder.Services.AddScoped<PasswordSignIn>();
builder.Services.AddScoped<WebSession>();
builder.Services.AddChangeTrailRateLimits(options.RateLimits);
builder.Services.AddSingleton<IdempotencySweep>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<IdempotencySweep>());
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
    await UpgradeTokenRecords.RunAsync(app.Services);
    app.Logger.LogInformation("Database migrated.");
    return;
}

await Database.MigrateAsync(app.Services);
await UpgradeTokenRecords.RunAsync(app.Services);
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
// Before routing, which applies an endpoint's own size limit, and before anything reads a body.
app.UseMiddleware<RequestBodyLimit>();
app.UseHsts();
app.UseSecurityHeaders();
app.UseWhen(http => http.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages(Problems.StatusCodePage));
app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api"), web => web.UseStatusCodePagesWithReExecute("/status/{0}"));
// Routing after the status pages, so a re-executed request (/status/404) is routed afresh.
app.UseRouting();
RequestBodyLimit.RefuseDeclaredOversizedBodies(app);
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
// After authorization, so a stranger is told 401 first; before anything reads a body or a parameter.
app.UseWhen(http => http.Request.Path.StartsWithSegments("/api"), api => api.UseMiddleware<RequestCharset>().UseMiddleware<NullCharacters.InQuery>());
app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api"), web => web.UseMiddleware<NullCharacters.InWebRequests>());
// After authorization: a replay is looked up only for a caller allowed to make the call, under that caller's credential.
app.UseMiddleware<IdempotencyMiddleware>();

app.MapHealth();
app.MapStaticAssets().AllowAnonymous();
app.MapRazorPages();
app.MapChangeTrailOpenApi();

var api = app.MapGroup("/api/v1").AddEndpointFilter(NullCharacters.InBodies);
RunSetup.Map(api);
IssuePersonalToken.Map(api);
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
api.MapPipeline();
api.MapCalendar();
api.MapPolicyExceptions();
api.MapTemplates();
api.MapPolicy();

await app.RunAsync();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
