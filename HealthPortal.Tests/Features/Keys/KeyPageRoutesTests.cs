using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using HealthPortal.Features.DemoMode;
using HealthPortal.Tests.Features.Auth;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>
/// The key pages sit in the portal folders, so PortalAuthorizationTests' discovered-route theories check each of
/// them against every role and anonymous users; this makes sure they are really discovered.
/// </summary>
public sealed class KeyPageRoutesTests
{
    [Theory]
    [InlineData("/patient/key"), InlineData("/patient/card"), InlineData("/patient/devices"), InlineData("/patient/link"), InlineData("/patient/recovery")]
    public void PatientKeyPages_AreCoveredAsPatientPages(string route) => Assert.Contains(route, PortalRoutes.Of(PortalRoutes.Patient));

    [Fact]
    public void FacilityRecovery_IsCoveredAsAManagersOnlyPage()
        => Assert.Contains("/facility/recovery", PortalRoutes.Demanding(PortalRoutes.Facility, PortalPolicies.FacilityManagement));

    [Fact]
    public void AdminRecoveries_IsCoveredAsAnAdminPage() => Assert.Contains("/admin/recoveries", PortalRoutes.Of(PortalRoutes.Admin));
}
