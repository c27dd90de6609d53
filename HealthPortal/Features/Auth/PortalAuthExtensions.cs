using HealthPortal.Components.Account;
using HealthPortal.Data;
using HealthPortal.Features.Auth.Passwords;
using HealthPortal.Features.Email;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Auth;

public static class PortalAuthExtensions
{
    /// <summary>Identity (accounts, roles, passwords, lockout, cookies, passkeys) and the per-portal policies.</summary>
    public static WebApplicationBuilder AddPortalAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var development = builder.Environment.IsDevelopment();

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddSingleton<SessionValidator>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.AddIdentityCore<ApplicationUser>(ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>()
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddErrorDescriber<AccountIdentityErrors>()
            .AddSignInManager<PortalSignInManager>()
            .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        // Identity's V3 format is PBKDF2-HMAC-SHA512. OWASP's password storage guidance (and ASVS 2.4.5) asks
        // for 210,000 iterations of it; the default is 100,000. Stored hashes carry their own count, so older
        // hashes still verify and are rehashed at the next sign-in.
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = 210_000);

        // Cookies are re-checked against the security stamp at least every minute, so disabling an account or
        // changing a password ends sessions quickly (the default is 30 minutes).
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        services.ConfigureAll<CookieAuthenticationOptions>(options =>
        {
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        services.ConfigureApplicationCookie(options =>
        {
            // Lax rather than Strict so that following an emailed or bookmarked link keeps the session;
            // every state-changing form post is covered by antiforgery tokens.
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.Name = "HealthPortal.Session";
            options.SlidingExpiration = true;
            options.LoginPath = "/Account/Login";
            options.LogoutPath = "/Account/Logout";
            options.AccessDeniedPath = "/Account/AccessDenied";
        });

        services.AddPortalEmail(builder.Configuration);
        services.AddSingleton(new SignInThrottle(TimeProvider.System,
            builder.Configuration.GetSection(SignInThrottleOptions.Section).Get<SignInThrottleOptions>() ?? new()));
        SecondFactor.AddTo(services);

        services.AddSingleton<IAuthorizationHandler, ApprovedFacilityHandler>();
        services.AddSingleton<CurrentFacility>();
        services.AddSingleton<IAuthorizationHandler, PatientOfMpiHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.PatientPortal, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Patient))
            .AddPolicy(PortalPolicies.FacilityPortal, policy => policy.RequireAuthenticatedUser()
                .RequireRole(Roles.FacilityStaff, Roles.FacilityManager)
                .RequireClaim(SecondFactor.AmrClaim, SecondFactor.Mfa)
                .AddRequirements(new ApprovedFacilityRequirement()))
            .AddPolicy(PortalPolicies.FacilityManagement, policy => policy.RequireAuthenticatedUser()
                .RequireRole(Roles.FacilityManager)
                .RequireClaim(SecondFactor.AmrClaim, SecondFactor.Mfa)
                .AddRequirements(new ApprovedFacilityRequirement()))
            .AddPolicy(PortalPolicies.PatientOfMpi, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Patient)
                .AddRequirements(new PatientOfMpiRequirement()))
            .AddPolicy(PortalPolicies.AdminPortal, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin)
                .RequireClaim(SecondFactor.AmrClaim, SecondFactor.Mfa));

        return builder;
    }

    /// <summary>Account rules; also used at design time so migrations see the same Identity schema version.</summary>
    public static void ConfigureIdentity(IdentityOptions options)
    {
        // Mail is sent (PortalEmailSender) and sign-up mails a confirmation link, but accounts stay usable before the
        // address is confirmed: a patient's identity is established at a facility's desk and by their browser key,
        // not by a mailbox, and the mailbox's owner can always take an address back through "Forgot password" (which
        // also confirms it). Staff accounts are vouched for by the invitation link.
        options.SignIn.RequireConfirmedAccount = false;
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3; // passkeys

        // ASVS 2.1.1/2.1.9: at least 12 characters and no composition rules (NIST 800-63B).
        options.Password.RequiredLength = 12;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequiredUniqueChars = 1;

        // ASVS 2.2.1: guessing is throttled per account and network by SignInThrottle. Identity's own lockout
        // (N failures from anywhere lock the account for everyone) would let anyone lock anyone out, so it never
        // triggers; lockout stays enabled because an administrator's "disable account" is a far-future lockout end.
        options.Lockout.MaxFailedAccessAttempts = int.MaxValue;
        options.Lockout.AllowedForNewUsers = true;
        options.User.RequireUniqueEmail = true;
    }
}
