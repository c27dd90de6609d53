using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Access;

/// <summary>
/// The access pages live in capability folders (Features/Access, Features/BreakGlass) under /patient and /admin, so the
/// route discovery finds them by address and PortalAuthorizationTests runs each against every role; this pins that they are found.
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
