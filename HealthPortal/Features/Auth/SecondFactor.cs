using System.Security.Claims;
using HealthPortal.Data;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Auth;

/// <summary>
/// Staff and administrators must sign in with a second factor (an authenticator app's code, or a passkey) before
/// their portal opens: the facility and admin portal policies require <c>amr=mfa</c> on the session.
/// <para>
/// Where the claim comes from (read in the .NET 10 SignInManager source, and checked by
/// <c>SecondFactorTests</c>): <c>SignInManager.DoTwoFactorSignInAsync</c> adds <c>amr=mfa</c> after a correct
/// authenticator or recovery code; a password alone gets <c>amr=pwd</c>. A passkey sign-in also gets only
/// <c>amr=pwd</c> from the framework (it bypasses two-factor), so <see cref="PortalSignInManager"/> marks it
/// <c>mfa</c> itself: passkeys here require user verification (PIN or biometric), two factors in one gesture.
/// </para>
/// </summary>
public static class SecondFactor
{
    /// <summary>RFC 8176 authentication method reference, as Identity writes it into the cookie.</summary>
    public const string AmrClaim = "amr";
    public const string Mfa = "mfa";

    /// <summary>The page that explains why and leads to the authenticator set-up.</summary>
    public const string EnrolPath = "Account/Manage/SecondFactorRequired";

    public static bool IsRequiredFor(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.FacilityManager) || user.IsInRole(Roles.FacilityStaff);

    public static bool IsSatisfiedBy(ClaimsPrincipal user) => user.HasClaim(AmrClaim, Mfa);

    internal static void AddTo(IServiceCollection services)
    {
        // The cookie is re-issued from the database every minute (security stamp check), and Identity's validator
        // builds the new principal without the sign-in's amr ("note we lost login authentication method"): without
        // this, staff would fall out of their portal a minute after signing in.
        services.Configure<SecurityStampValidatorOptions>(options => options.OnRefreshingPrincipal = context =>
        {
            KeepAuthenticationMethods(context.CurrentPrincipal, context.NewPrincipal);
            return Task.CompletedTask;
        });

        // A staff member or admin refused by a portal policy only for want of a second factor is sent to set one up,
        // rather than to "access denied".
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, options =>
        {
            var denied = options.Events.OnRedirectToAccessDenied;
            options.Events.OnRedirectToAccessDenied = context =>
            {
                var user = context.HttpContext.User;
                if (IsRequiredFor(user) && !IsSatisfiedBy(user))
                {
                    context.Response.Redirect(context.Request.PathBase + "/" + EnrolPath);
                    return Task.CompletedTask;
                }
                return denied(context);
            };
        });

        // A passkey counts as two factors only if the authenticator verified the person (PIN, fingerprint, face).
        services.Configure<IdentityPasskeyOptions>(options => options.UserVerificationRequirement = "required");
    }

    internal static void KeepAuthenticationMethods(ClaimsPrincipal? current, ClaimsPrincipal? renewed)
    {
        if (current is null || renewed?.Identity is not ClaimsIdentity identity) return;
        foreach (var claim in current.FindAll(c => c.Type is AmrClaim or ClaimTypes.AuthenticationMethod))
        {
            if (!renewed.HasClaim(claim.Type, claim.Value)) identity.AddClaim(new Claim(claim.Type, claim.Value));
        }
    }
}

/// <summary>
/// Identity's sign-in, with passkey sign-in marked as multi-factor (see <see cref="SecondFactor"/>) and refused for an
/// account an administrator disabled: the framework's passkey path checks neither lockout nor confirmation.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    Microsoft.Extensions.Options.IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public const string PasskeyMethod = "passkey";

    public override async Task<SignInResult> PasskeySignInAsync(string credentialJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialJson);
        var assertion = await PerformPasskeyAssertionAsync(credentialJson);
        if (!assertion.Succeeded) return SignInResult.Failed;

        var user = assertion.User;
        if (await PreSignInCheck(user) is { } refused) return refused;

        // The latest signature counter and authenticator data, as the framework's own passkey sign-in stores them.
        if (!(await UserManager.AddOrUpdatePasskeyAsync(user, assertion.Passkey)).Succeeded) return SignInResult.Failed;

        await SignInWithClaimsAsync(user, isPersistent: false,
            [new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa), new Claim(ClaimTypes.AuthenticationMethod, PasskeyMethod)]);
        return SignInResult.Success;
    }
}
