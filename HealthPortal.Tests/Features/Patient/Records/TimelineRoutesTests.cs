using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>The timeline pages live in Features/Patient/Records, so the patient route discovery (and with it
/// PortalAuthorizationTests against every role) covers them.</summary>
public sealed class TimelineRoutesTests
{
    [Theory]
    [InlineData("/patient/records")]
    [InlineData("/patient/records/1")]
    public void TimelinePages_AreCoveredByThePatientRouteDiscovery(string route) =>
        Assert.Contains(route, PortalRoutes.Of(PortalRoutes.Patient));
}
