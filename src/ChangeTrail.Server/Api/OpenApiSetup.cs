using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ChangeTrail.Server.Api;

/// <summary>The OpenAPI document (/openapi/v1.json) and its reference page (/api/docs), self-contained: nothing is fetched from the internet.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddChangeTrailOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ChangeTrail API";
            document.Info.Description =
                "Change requests, approvals and identities. Send `Authorization: Bearer ctp_...`; errors are RFC 9457 problem+json.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API token (ctp_...) created by an administrator or by its owner.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
            return Task.CompletedTask;
        }));

    public static void MapChangeTrailOpenApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api/docs", scalar => scalar
                .WithTitle("ChangeTrail API")
                .DisableDefaultFonts()
                .DisableAgent()
                .DisableMcp()
                .DisableTelemetry()
                .HideDeveloperTools()
                .WithDotNetFlag(false)
                .AddPreferredSecuritySchemes(["Bearer"]))
            .AllowAnonymous();
    }
}
