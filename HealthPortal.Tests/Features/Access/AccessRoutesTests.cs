using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Access;

/// <summary>
/// The access pages live in the portal folders (Features/Patient/Access, Features/Admin/BreakGlass), so the route
/// discovery finds them and PortalAuthorizationTests runs each against every role; this pins that they are found.
/// </summary>
public sealed class AccessRoutesTests
{
    [Fact]
    public void PatientAccessPage_IsCoveredByThePatientRouteDiscovery() =>
        Assert.Contains("/patient/access", PortalRoutes.Of(PortalRoutes.Patient));

    [Fact]
    public void BreakGlassQueue_IsCoveredByTheAdminRouteDiscovery() =>
        Assert.Contains("/admin/break-glass", PortalRoutes.Of(PortalRoutes.Admin));
}
