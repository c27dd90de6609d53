using System.Security.Claims;

namespace HealthPortal.Features.Auth;

/// <summary>Where a signed-in user starts, by role.</summary>
public static class PortalHome
{
    public static string? For(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) ? "admin"
        : user.IsInRole(Roles.FacilityManager) || user.IsInRole(Roles.FacilityStaff) ? "facility"
        : user.IsInRole(Roles.Patient) ? "patient"
        : null;
}
