using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Auth.Sessions;

public static class SessionExtensions
{
    /// <summary>Server-side sessions for the Identity application cookie, with an absolute lifetime.</summary>
    public static WebApplicationBuilder AddPortalSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SessionOptions>()
            .Bind(builder.Configuration.GetSection(SessionOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<UserSessions>();
        builder.Services.AddSingleton<SessionTicketStore>();
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<SessionTicketStore, Microsoft.Extensions.Options.IOptions<SessionOptions>>((cookie, store, sessions) =>
            {
                cookie.SessionStore = store;
                cookie.ExpireTimeSpan = sessions.Value.IdleTimeout;
            });
        // Identity's security-stamp check swaps in a principal freshly made from the user store; the session claim
        // must travel with it, or this request (and a circuit it opens) would lose track of its session.
        builder.Services.Configure<SecurityStampValidatorOptions>(stamps =>
        {
            var previous = stamps.OnRefreshingPrincipal;
            stamps.OnRefreshingPrincipal = async context =>
            {
                if (previous is not null) await previous(context);
                if (context.CurrentPrincipal is { } current && SessionClaims.SessionIdOf(current) is { } sessionId
                    && context.NewPrincipal?.Identities.FirstOrDefault(i => i.IsAuthenticated) is { } identity
                    && !identity.HasClaim(c => c.Type == SessionClaims.SessionId))
                {
                    identity.AddClaim(new System.Security.Claims.Claim(SessionClaims.SessionId, sessionId));
                }
            };
        });
        return builder;
    }
}
