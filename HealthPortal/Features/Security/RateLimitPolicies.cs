using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace HealthPortal.Features.Security;

/// <summary>
/// Named limiter policies. Identity's pages are static server-rendered forms that post back to their own URL,
/// so the page policies count POSTs only and let GETs through; put them on a page with
/// <c>@attribute [EnableRateLimiting(RateLimitPolicies.Login)]</c>. API policies count every request.
/// </summary>
public static class RateLimitPolicies
{
    public const string Login = "login";
    public const string SignUp = "sign-up";

    /// <summary>
    /// The passkey challenge the login page fetches on every load: its own bucket of the login size, because a
    /// challenge is not a credential guess and must not use up the sign-in attempts of people behind one address.
    /// </summary>
    public const string PasskeyOptions = "passkey-options";
    public const string NodeRegistration = "node-registration";

    internal static void Add(RateLimiterOptions limiter, RateLimitOptions limits)
    {
        limiter.AddPolicy(Login, context => FormPosts(context, Login, limits.Login));
        limiter.AddPolicy(PasskeyOptions, context => Window(ClientKey(context, PasskeyOptions), limits.Login));
        limiter.AddPolicy(SignUp, context => FormPosts(context, SignUp, limits.SignUp));
        limiter.AddPolicy(NodeRegistration, context => Window(ClientKey(context, NodeRegistration), limits.NodeRegistration));
    }

    /// <summary>
    /// A fixed window per client address under a feature's own policy name, for an anonymous API that registers its
    /// own policy (share links' manifest) with the same keying as the policies above.
    /// </summary>
    public static RateLimitPartition<string> PerClient(HttpContext context, string policy, RateLimitWindow window) =>
        Window(ClientKey(context, policy), window);

    private static RateLimitPartition<string> FormPosts(HttpContext context, string policy, RateLimitWindow window) =>
        HttpMethods.IsPost(context.Request.Method)
            ? Window(ClientKey(context, policy), window)
            : RateLimitPartition.GetNoLimiter("");

    private static RateLimitPartition<string> Window(string key, RateLimitWindow window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = window.PermitLimit,
            Window = TimeSpan.FromSeconds(window.WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    // Behind a reverse proxy, enable ForwardedHeaders so RemoteIpAddress is the client's, not the proxy's.
    private static string ClientKey(HttpContext context, string policy) =>
        policy + ":" + (context.Connection.RemoteIpAddress ?? IPAddress.None);
}
