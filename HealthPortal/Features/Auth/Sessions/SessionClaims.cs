using System.Security.Claims;

namespace HealthPortal.Features.Auth.Sessions;

/// <summary>The claim that ties a signed-in principal to its <see cref="UserSession"/> row.</summary>
public static class SessionClaims
{
    public const string SessionId = "healthportal:session";

    public static string? SessionIdOf(ClaimsPrincipal principal) => principal.FindFirstValue(SessionId);
}
