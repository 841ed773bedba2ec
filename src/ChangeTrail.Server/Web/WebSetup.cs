using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.RateLimiting;

namespace ChangeTrail.Server.Web;

public static class WebSetup
{
    /// <summary>The server-rendered UI: Razor Pages, every form protected by antiforgery.</summary>
    public static IServiceCollection AddChangeTrailWeb(this IServiceCollection services)
    {
        services.AddRazorPages(pages =>
        {
            pages.Conventions.AllowAnonymousToPage("/Account/Login");
            pages.Conventions.AllowAnonymousToPage("/Account/Setup");
            pages.Conventions.AllowAnonymousToPage("/Account/Invitation");
            RateLimited(pages.Conventions, "/Account/Login", RateLimits.SignIn);
            RateLimited(pages.Conventions, "/Account/Invitation", RateLimits.SignIn);
            RateLimited(pages.Conventions, "/Account/Setup", RateLimits.Setup);
            pages.Conventions.AllowAnonymousToPage("/Status");
            pages.Conventions.AllowAnonymousToPage("/Denied");
            pages.Conventions.AddPageRoute("/Changes/Edit", "/changes/new");
        }).AddMvcOptions(mvc =>
            // The rules validate the forms (the same ones the API uses); no second, framework-made set of messages.
            mvc.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "changetrail.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure over https (also behind a TLS proxy, see ReverseProxy); the framework's default never marks it so.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__csrf";
        });
        return services;
    }

    /// <summary>The page's form posts count against a per-client limit (<see cref="RateLimits"/>); showing it does not.</summary>
    private static void RateLimited(PageConventionCollection conventions, string page, string policy) =>
        conventions.AddPageApplicationModelConvention(page, model => model.EndpointMetadata.Add(new EnableRateLimitingAttribute(policy)));

    /// <summary>
    /// Headers every response carries. The pages run no inline script, so the policy can forbid it; the
    /// API reference page is a third-party bundle with inline configuration, served from our own origin.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/api/docs")
                ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
                : "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
                  "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";
            return Task.CompletedTask;
        });
        await next(http);
    });
}
