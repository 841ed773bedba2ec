using ChangeTrail.Contracts;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Risk;
using ChangeTrail.Server.Features.ServiceAccounts;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Features.Setup;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

var builder = WebApplication.CreateBuilder(args);
var options = builder.Configuration.GetSection(ChangeTrailOptions.Section).Get<ChangeTrailOptions>() ?? new ChangeTrailOptions();
builder.Services.Configure<ChangeTrailOptions>(builder.Configuration.GetSection(ChangeTrailOptions.Section));

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<Clock>();
builder.Services.AddSingleton<SetupCode>();
builder.Services.AddSingleton(DefaultRiskQuestionnaire.Instance);
builder.Services.AddChangeTrailDatabase(builder.Configuration, options);
builder.Services.AddScoped<ChangeCommand>();

builder.Services.AddIdentityCore<AppUser>(identity =>
    {
        // NIST SP 800-63B: length over composition rules.
        identity.Password.RequiredLength = 12;
        identity.Password.RequireDigit = false;
        identity.Password.RequireLowercase = false;
        identity.Password.RequireUppercase = false;
        identity.Password.RequireNonAlphanumeric = false;
        identity.Lockout.MaxFailedAccessAttempts = 5;
        identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        identity.Lockout.AllowedForNewUsers = true;
        identity.User.RequireUniqueEmail = false; // enforced for people only; service accounts have no email
    })
    .AddRoles<IdentityRole<Guid>>()
    .AddEntityFrameworkStores<ChangeTrailDbContext>();

builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
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

var app = builder.Build();

if (args.FirstOrDefault() == "migrate")
{
    await Database.MigrateAsync(app.Services);
    app.Logger.LogInformation("Database migrated.");
    return;
}

await Database.MigrateAsync(app.Services);
await using (var scope = app.Services.CreateAsyncScope())
{
    if (!await RunSetup.IsDoneAsync(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>(), CancellationToken.None))
        app.Services.GetRequiredService<SetupCode>().Announce();
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseMiddleware<IdempotencyMiddleware>();
app.UseAuthorization();

app.MapHealth();
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

await app.RunAsync();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
