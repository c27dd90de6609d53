using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Patient;

public sealed class PatientDashboardTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    private void SignIn(string email, params System.Security.Claims.Claim[] claims)
    {
        Auth.SetAuthorized(email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(claims);
    }

    protected override Task ConfigureAsync()
    {
        database.AddTo(Services);
        ledger.AddTo(Services);
        Services.AddGrantServices();
        // The dashboard names whom the account acts for (issue 14).
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PatientDashboard_ShowsTheirDemographics()
    {
        var aye = DemoData.Patients[0];
        SignIn(aye.Email, await database.ClaimsOfAsync(aye.Email));

        var page = Render<PatientDashboard>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(aye.FullName, page.Find("[data-testid='patient-name']").TextContent.Trim());
            Assert.Equal(aye.NationalId, page.Find("[data-testid='patient-nrc']").TextContent.Trim());
            Assert.StartsWith("12 April 1988", page.Find("[data-testid='patient-birthdate']").TextContent.Trim());
            Assert.Contains("No MPI number yet", page.Find("[data-testid='mpi-number']").TextContent);
        });
    }

    [Fact]
    public async Task PatientDashboard_WithoutProfile_AsksForDemographicsAndSavesThem()
    {
        var email = $"new-{Guid.NewGuid():N}@tests.healthportal.test";
        string userId;
        await using (var db = database.CreateContext())
        {
            var user = new ApplicationUser { UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(), DisplayName = "New Patient" };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            userId = user.Id;
        }
        SignIn(email, new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, userId));
        var page = Render<PatientDashboard>();

        page.WaitForElement("input[data-testid='profile-fullname']").Change("Hla Hla Win");
        page.Find("input[data-testid='profile-birthdate']").Change("03/02/1990");
        page.Find("input[data-testid='profile-nrc']").Change("14/PATHANA(N)300003");
        page.Find("input[data-testid='profile-phone']").Change("+95 9 400 000 003");

        // Sex has no default: leaving it unanswered is refused with words a person understands, and nothing is saved.
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Contains("Choose one; \"Unknown / prefer not to say\" is a fine answer.", page.Markup));
        Assert.DoesNotContain("field is required", page.Markup);
        await using (var none = database.CreateContext())
            Assert.False(await none.PatientProfiles.AnyAsync(p => p.UserId == userId));

        var sex = page.FindComponent<MudBlazor.MudSelect<Sex?>>();
        await page.InvokeAsync(() => sex.Instance.ValueChanged.InvokeAsync(Sex.Unknown));
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal("Hla Hla Win", page.Find("[data-testid='patient-name']").TextContent.Trim()));
        Assert.Contains("Unknown / prefer not to say", page.Markup);
        await using var check = database.CreateContext();
        var saved = await check.PatientProfiles.SingleAsync(p => p.UserId == userId);
        Assert.Equal(new DateOnly(1990, 2, 3), saved.BirthDate);
        Assert.Equal("14/PATHANA(N)300003", saved.NationalId);
        Assert.Equal(Sex.Unknown, saved.Sex);
    }

    [Fact]
    public async Task PatientDashboard_NotYetOnTheLedger_LeadsToKeySetup()
    {
        var aye = DemoData.Patients[0];
        SignIn(aye.Email, await database.ClaimsOfAsync(aye.Email));

        var page = Render<PatientDashboard>();

        page.WaitForAssertion(() => Assert.Contains("patient/key", page.Find("[data-testid='cta-setup-key'] a").GetAttribute("href")));
    }

    [Fact]
    public async Task PatientDashboard_WithAPendingAccessRequest_ShowsItsCountAndTheWayToSharing()
    {
        var min = DemoData.Patients[1];
        var mpi = "MPI-BADGE-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var userId = (await database.UserAsync(min.Email)).Id;
        await using (var db = database.CreateContext())
        {
            (await db.PatientProfiles.SingleAsync(p => p.UserId == userId)).MpiNumber = mpi;
            db.AccessRequests.Add(new AccessRequest { Mpi = mpi, FacilityId = "demo-lakeview", RequestedByUserId = userId, Categories = "lab-result", Purpose = "treatment", DurationDays = 7, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        SignIn(min.Email, await database.ClaimsOfAsync(min.Email));
        Auth.SetPolicies(PortalPolicies.PatientPortal, PortalPolicies.PatientOfMpi);

        var page = Render<PatientDashboard>();

        page.WaitForAssertion(() =>
        {
            var badge = page.Find("[data-testid='dashboard-access-requests']");
            Assert.Contains("A facility asks for access to your records.", badge.TextContent);
            Assert.Equal("patient/grants", badge.QuerySelector("a")!.GetAttribute("href"));
        });
    }
}
