using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Shell;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Shell;

public sealed class NavMenuTests : PortalComponentTest
{
    private static readonly string[] PatientLinks = ["nav-patient", "nav-patient-records", "nav-patient-summary", "nav-patient-identity", "nav-patient-grants", "nav-patient-share", "nav-patient-access", "nav-patient-delegations", "nav-patient-children", "nav-patient-card", "nav-patient-devices"];
    private static readonly string[] FacilityLinks = ["nav-facility", "nav-facility-children"];
    private static readonly string[] ManagerLinks = ["nav-facility", "nav-facility-children", "nav-facility-staff", "nav-facility-recovery", "nav-facility-audit", "nav-facility-systems"];
    private static readonly string[] AdminLinks = ["nav-admin", "nav-admin-accounts", "nav-admin-registrations", "nav-admin-ledger", "nav-admin-network", "nav-admin-recoveries", "nav-admin-wallet", "nav-admin-identity-checks", "nav-admin-mpi-review", "nav-admin-break-glass", "nav-admin-mail"];

    private IReadOnlyList<string> PortalLinks()
    {
        var menu = Render<NavMenu>();
        return menu.FindAll("[data-testid^='nav-']").Select(link => link.GetAttribute("data-testid")!).ToList();
    }

    [Fact]
    public void NavMenu_Patient_ShowsPatientLinksOnly()
    {
        Auth.SetAuthorized("aye.patient@demo.healthportal.test");
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);

        Assert.Equal(PatientLinks, PortalLinks());
    }

    [Fact]
    public void NavMenu_FacilityStaff_ShowsFacilityDashboardButNotStaffManagement()
    {
        Auth.SetAuthorized("riverside.staff@demo.healthportal.test");
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);

        Assert.Equal(FacilityLinks, PortalLinks());
    }

    [Fact]
    public void NavMenu_FacilityManager_ShowsFacilityAndStaffLinks()
    {
        Auth.SetAuthorized("riverside.manager@demo.healthportal.test");
        Auth.SetRoles(Roles.FacilityManager);
        Auth.SetPolicies(PortalPolicies.FacilityPortal, PortalPolicies.FacilityManagement);

        Assert.Equal(ManagerLinks, PortalLinks());
    }

    [Fact]
    public void NavMenu_StaffOfUnapprovedFacility_ShowsNoFacilityLinks()
    {
        // Role without the FacilityPortal policy (the facility is not approved): the menu follows the policy.
        Auth.SetAuthorized("someone@pending.test");
        Auth.SetRoles(Roles.FacilityStaff);

        Assert.Empty(PortalLinks());
    }

    [Fact]
    public void NavMenu_Admin_ShowsAdminLinksOnly()
    {
        Auth.SetAuthorized("admin@demo.healthportal.test");
        Auth.SetRoles(Roles.Admin);
        Auth.SetPolicies(PortalPolicies.AdminPortal);

        Assert.Equal(AdminLinks, PortalLinks());
    }

    [Fact]
    public void NavMenu_Anonymous_OffersSignInAndNoPortal()
    {
        Auth.SetNotAuthorized();

        var menu = Render<NavMenu>();

        Assert.Empty(menu.FindAll("[data-testid^='nav-']"));
        Assert.Contains(menu.FindAll("a"), link => link.GetAttribute("href") == "Account/Login");
    }

    [Fact]
    public void NavMenu_Anonymous_OffersJoiningTheNetwork()
    {
        Auth.SetNotAuthorized();

        var menu = Render<NavMenu>();

        Assert.Equal("join", menu.Find("[data-testid='join-link']").GetAttribute("href"));
    }

    [Fact]
    public void NavMenu_SignedIn_DoesNotOfferJoining()
    {
        Auth.SetAuthorized("aye.patient@demo.healthportal.test");
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);

        Assert.Empty(Render<NavMenu>().FindAll("[data-testid='join-link']"));
    }
}
