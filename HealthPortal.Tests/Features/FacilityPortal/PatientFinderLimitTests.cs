using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Security;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.FacilityPortal;

/// <summary>Staff MPI look-ups are circuit actions that test identities: limited per network (IdentityLookupLimiter).</summary>
public sealed class PatientFinderLimitTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    protected override async Task ConfigureAsync()
    {
        database.AddTo(Services);
        ledger.AddTo(Services);
        Services.AddSingleton(new IdentityLookupLimiter(new RateLimitWindow { PermitLimit = 1, WindowSeconds = 300 }));
        var email = DemoData.AccountFor(Roles.FacilityStaff, "demo-lakeview").Email;
        Auth.SetAuthorized(email);
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims(await database.ClaimsOfAsync(email));
    }

    [Fact]
    public void Lookups_BeyondTheAllowance_AreRefusedWithAReadableMessage()
    {
        var finder = Render<PatientFinder>();
        finder.Find("input[data-testid='mpi-input']").Input(MpiNumber.NewNumber());
        finder.Find("[data-testid='find-patient']").Click();
        finder.WaitForAssertion(() => Assert.DoesNotContain(IdentityLookupLimiter.Message, finder.Markup));

        finder.Find("input[data-testid='mpi-input']").Input(MpiNumber.NewNumber());
        finder.Find("[data-testid='find-patient']").Click();

        finder.WaitForAssertion(() => Assert.Contains(IdentityLookupLimiter.Message, finder.Markup));
    }
}
