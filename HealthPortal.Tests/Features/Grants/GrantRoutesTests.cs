using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Grants;

/// <summary>
/// The Sharing page lives in Features/Grants but under /patient, so PortalRoutes must find it by its address and
/// PortalAuthorizationTests' discovered-route theories then check it against every role and anonymous users.
/// </summary>
public sealed class GrantRoutesTests
{
    [Fact]
    public void Sharing_IsCoveredAsAPatientPage() => Assert.Contains("/patient/grants", PortalRoutes.Of(PortalRoutes.Patient));

    [Fact]
    public void Sharing_IsNotCoveredAsAFacilityOrAdminPage()
    {
        Assert.DoesNotContain("/patient/grants", PortalRoutes.Of(PortalRoutes.Facility));
        Assert.DoesNotContain("/patient/grants", PortalRoutes.Of(PortalRoutes.Admin));
    }
}
