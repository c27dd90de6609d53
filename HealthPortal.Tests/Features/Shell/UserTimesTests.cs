using System.Security.Claims;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Shell;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Shell;

public sealed class UserTimesTests(PortalTestDatabase database) : IClassFixture<PortalTestDatabase>
{
    private UserTimes Times()
    {
        var services = new ServiceCollection();
        database.AddTo(services);
        return new UserTimes(services.BuildServiceProvider().GetRequiredService<IDbContextFactory<HealthPortal.Data.ApplicationDbContext>>());
    }

    private static ClaimsPrincipal Principal(params Claim[] claims) => new(new ClaimsIdentity(claims, "test"));

    [Fact]
    public async Task ForAsync_Staff_ReadsTheirFacilitysZone()
    {
        var staff = await database.UserAsync(DemoData.Accounts.First(a => a.FacilityId == "demo-lakeview" && a.Role == HealthPortal.Features.Auth.Roles.FacilityStaff).Email);
        await using (var db = database.CreateContext())
        {
            await db.Facilities.Where(f => f.Id == staff.FacilityId).ExecuteUpdateAsync(f => f.SetProperty(x => x.TimeZone, "Asia/Bangkok"));
        }

        var clock = await Times().ForAsync(Principal(new Claim(ClaimTypes.NameIdentifier, staff.Id)));

        Assert.Equal("Asia/Bangkok", clock.ZoneId);
    }

    [Fact]
    public async Task ForAsync_Patient_ReadsTheirProfileZone()
    {
        var patient = await database.UserAsync(DemoData.Patients[1].Email);
        await using (var db = database.CreateContext())
        {
            await db.PatientProfiles.Where(p => p.UserId == patient.Id).ExecuteUpdateAsync(p => p.SetProperty(x => x.TimeZone, "Europe/London"));
        }

        var clock = await Times().ForAsync(Principal(new Claim(ClaimTypes.NameIdentifier, patient.Id)));

        Assert.Equal("Europe/London", clock.ZoneId);
    }

    [Fact]
    public async Task ForAsync_SeededPatient_DefaultsToYangon()
    {
        var patient = await database.UserAsync(DemoData.Patients[0].Email);

        var clock = await Times().ForAsync(Principal(new Claim(ClaimTypes.NameIdentifier, patient.Id)));

        Assert.Equal("Asia/Yangon", clock.ZoneId);
    }

    [Fact]
    public async Task ForAsync_SignedOut_IsTheDefault() =>
        Assert.Equal("Asia/Yangon", (await Times().ForAsync(new ClaimsPrincipal())).ZoneId);
}
