using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace ChangeTrail.Server.Auth;

public static class IdentitySetup
{
    /// <summary>ASP.NET Core Identity for people and service accounts: password hashing, lockout, our claims.</summary>
    public static IServiceCollection AddChangeTrailIdentity(this IServiceCollection services)
    {
        services.AddIdentityCore<AppUser>(identity =>
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
                identity.ClaimsIdentity.UserIdClaimType = ChangeTrailClaims.UserId;
                identity.ClaimsIdentity.UserNameClaimType = ChangeTrailClaims.Name;
                identity.ClaimsIdentity.EmailClaimType = ChangeTrailClaims.Email;
                identity.ClaimsIdentity.RoleClaimType = ChangeTrailClaims.Role;
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<ChangeTrailDbContext>()
            .AddSignInManager<ChangeTrailSignInManager>()
            .AddClaimsPrincipalFactory<ChangeTrailClaimsFactory>();

        // Keys in the database: every instance reads the same cookies and antiforgery tokens.
        services.AddDataProtection().SetApplicationName("ChangeTrail").PersistKeysToDbContext<ChangeTrailDbContext>();
        return services;
    }
}
