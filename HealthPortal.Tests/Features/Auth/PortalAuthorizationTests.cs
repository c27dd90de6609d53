using System.Net;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Auth;

/// <summary>
/// Every page of each portal, discovered from the app's routes, refuses the other roles and anonymous users
/// on the server (the static render is where authorization happens before any circuit exists).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PortalAuthorizationTests(PortalFactory portal)
{
    public static TheoryData<string> AdminPages => PortalRoutes.Data(PortalRoutes.Admin);
    public static TheoryData<string> FacilityPages => PortalRoutes.Data(PortalRoutes.Facility);
    public static TheoryData<string> PatientPages => PortalRoutes.Data(PortalRoutes.Patient);
    public static TheoryData<string> FacilityManagementPages => new(PortalRoutes.Demanding(PortalRoutes.Facility, PortalPolicies.FacilityManagement));

    [Fact]
    public void PortalRoutes_AreDiscoveredInEveryPortal()
    {
        Assert.Contains("/admin", PortalRoutes.Of(PortalRoutes.Admin));
        Assert.Contains("/facility", PortalRoutes.Of(PortalRoutes.Facility));
        Assert.Contains("/facility/staff", PortalRoutes.Demanding(PortalRoutes.Facility, PortalPolicies.FacilityManagement));
        Assert.Contains("/patient", PortalRoutes.Of(PortalRoutes.Patient));
        Assert.Contains("/facility/patients/1", PortalRoutes.Of(PortalRoutes.Facility));
        Assert.Contains("/patient/confirm/1", PortalRoutes.Of(PortalRoutes.Patient));
    }

    [Theory, MemberData(nameof(AdminPages))]
    public Task AdminPages_RedirectAnonymousToLogin(string route) => AssertRedirectsToLoginAsync(route);

    [Theory, MemberData(nameof(AdminPages))]
    public Task AdminPages_RefusePatient(string route) => AssertDeniedAsync(Roles.Patient, route);

    [Theory, MemberData(nameof(AdminPages))]
    public Task AdminPages_RefuseFacilityStaff(string route) => AssertDeniedAsync(Roles.FacilityStaff, route);

    [Theory, MemberData(nameof(AdminPages))]
    public Task AdminPages_RefuseFacilityManager(string route) => AssertDeniedAsync(Roles.FacilityManager, route);

    [Theory, MemberData(nameof(AdminPages))]
    public Task AdminPages_AllowAdmin(string route) => AssertAllowedAsync(Roles.Admin, route);

    [Theory, MemberData(nameof(FacilityPages))]
    public Task FacilityPages_RedirectAnonymousToLogin(string route) => AssertRedirectsToLoginAsync(route);

    [Theory, MemberData(nameof(FacilityPages))]
    public Task FacilityPages_RefusePatient(string route) => AssertDeniedAsync(Roles.Patient, route);

    [Theory, MemberData(nameof(FacilityPages))]
    public Task FacilityPages_RefuseAdmin(string route) => AssertDeniedAsync(Roles.Admin, route);

    [Theory, MemberData(nameof(FacilityPages))]
    public Task FacilityPages_AllowFacilityManager(string route) => AssertAllowedAsync(Roles.FacilityManager, route);

    [Theory, MemberData(nameof(FacilityManagementPages))]
    public Task FacilityManagementPages_RefuseFacilityStaff(string route) => AssertDeniedAsync(Roles.FacilityStaff, route);

    [Fact]
    public Task FacilityDashboard_AllowsFacilityStaff() => AssertAllowedAsync(Roles.FacilityStaff, "/facility");

    [Fact]
    public Task FacilityPatientPage_AllowsFacilityStaff() => AssertAllowedAsync(Roles.FacilityStaff, "/facility/patients/1");

    [Theory, MemberData(nameof(FacilityPages))]
    public async Task FacilityPages_RefuseStaffOfUnapprovedFacility(string route)
    {
        foreach (var status in new[] { FacilityStatus.Pending, FacilityStatus.Rejected, FacilityStatus.Revoked })
        {
            var facility = await portal.QueryAsync(async db =>
            {
                var created = new HealthFacility { Name = $"{status} test clinic {Guid.NewGuid():N}", Kind = FacilityKind.Clinic, Status = status };
                db.Facilities.Add(created);
                await db.SaveChangesAsync();
                return created;
            });
            var manager = await portal.CreateUserAsync(Roles.FacilityManager, facility.Id);
            var browser = await portal.SignInAsync(manager.Email!);

            var response = await browser.GetAsync(route);

            AssertAccessDenied(response, $"{route} for a manager of a {status} facility");
        }
    }

    [Fact]
    public async Task FacilityPages_RefuseStaffOnceTheirFacilityIsRevoked()
    {
        var facility = await portal.QueryAsync(async db =>
        {
            var created = new HealthFacility { Name = $"Soon revoked lab {Guid.NewGuid():N}", Kind = FacilityKind.Laboratory, Status = FacilityStatus.Approved };
            db.Facilities.Add(created);
            await db.SaveChangesAsync();
            return created;
        });
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, facility.Id);
        var browser = await portal.SignInAsync(staff.Email!);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/facility")).StatusCode);

        await portal.QueryAsync(async db =>
        {
            db.Facilities.Single(f => f.Id == facility.Id).Status = FacilityStatus.Revoked;
            return await db.SaveChangesAsync();
        });

        AssertAccessDenied(await browser.GetAsync("/facility"), "/facility after revocation");
    }

    [Theory, MemberData(nameof(PatientPages))]
    public Task PatientPages_RedirectAnonymousToLogin(string route) => AssertRedirectsToLoginAsync(route);

    [Theory, MemberData(nameof(PatientPages))]
    public Task PatientPages_RefuseFacilityStaff(string route) => AssertDeniedAsync(Roles.FacilityStaff, route);

    [Theory, MemberData(nameof(PatientPages))]
    public Task PatientPages_RefuseAdmin(string route) => AssertDeniedAsync(Roles.Admin, route);

    [Theory, MemberData(nameof(PatientPages))]
    public Task PatientPages_AllowPatient(string route) => AssertAllowedAsync(Roles.Patient, route);

    private async Task AssertRedirectsToLoginAsync(string route)
    {
        var response = await portal.CreateBrowser().GetAsync(route);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }

    private async Task AssertDeniedAsync(string role, string route)
    {
        var browser = await portal.SignInAsync(PortalFactory.DemoEmail(role));

        AssertAccessDenied(await browser.GetAsync(route), $"{route} as {role}");
    }

    private async Task AssertAllowedAsync(string role, string route)
    {
        var browser = await portal.SignInAsync(PortalFactory.DemoEmail(role));

        var response = await browser.GetAsync(route);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route} as {role}: {(int)response.StatusCode} {response.Headers.Location}");
    }

    private static void AssertAccessDenied(HttpResponseMessage response, string what)
    {
        var denied = response.StatusCode == HttpStatusCode.Forbidden
            || (response.StatusCode == HttpStatusCode.Redirect
                && response.Headers.Location!.OriginalString.Contains("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase));
        Assert.True(denied, $"{what}: expected access denied, got {(int)response.StatusCode} {response.Headers.Location}");
    }
}
