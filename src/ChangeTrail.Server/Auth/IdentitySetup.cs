using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
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
                // The backstop against guessing from many addresses; a single client is locked out far sooner, on its own
                // (PasswordSignIn), so that a stranger cannot keep the account's owner out.
                identity.Lockout.MaxFailedAccessAttempts = Features.SignIn.PasswordSignIn.AccountLockoutThreshold;
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

        // Keys in the database: every instance reads the same cookies and antiforgery tokens. Encrypted there with a key
        // kept outside it (KeyEncryptionKey), so a copy of the database forges no session; keys stored in clear by
        // earlier versions are still read, as Data Protection reads any key it finds without an encryptedSecret.
        services.AddSingleton<KeyEncryptionKey>();
        services.AddDataProtection().SetApplicationName("ChangeTrail").PersistKeysToDbContext<ChangeTrailDbContext>();
        services.AddOptions<KeyManagementOptions>()
            .Configure<KeyEncryptionKey>((keys, key) => keys.XmlEncryptor = new KeyRingXmlEncryptor(key));
        return services;
    }
}
