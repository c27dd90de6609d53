using System.Net;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Security;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Patient;

/// <summary>
/// The red team saved a profile with someone else's NRC and was told "Another patient account already has this
/// national ID": a yes/no oracle on whether a named person is a patient. Now the save answers the same either way and
/// the pair goes to the MPI steward.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class NationalIdOracleTests(PortalFactory portal)
{
    private static PatientProfileInput Profile(string nationalId) => new()
    {
        FullName = "Someone Typing",
        BirthDate = new DateTime(1990, 1, 1),
        Sex = Sex.Female,
        NationalId = nationalId,
        Phone = "+95 9 400 000 099",
    };

    private static string NewNationalId() => "7/TEST(N)" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();

    private PatientProfiles Profiles(IServiceProvider services, IdentityLookupLimiter? limiter = null, string? address = null) => new(
        services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(),
        services.GetRequiredService<IAuthorizationService>(),
        TimeProvider.System,
        limiter ?? services.GetRequiredService<IdentityLookupLimiter>(),
        new CircuitClientAddress { Address = address is null ? null : IPAddress.Parse(address) });

    private async Task<TestPatient> PatientWithProfileAsync(string nationalId)
    {
        var patient = await portal.NewPatientAsync(withProfile: false);
        Assert.Equal(ProfileSave.Saved, await portal.WithScopeAsync(services => Profiles(services).SaveMineAsync(patient.Principal, Profile(nationalId))));
        return patient;
    }

    [Fact]
    public async Task SavingSomeoneElsesNationalId_AnswersLikeAnyOtherSave_AndFlagsThePairForTheSteward()
    {
        var nrc = NewNationalId();
        var holder = await PatientWithProfileAsync(nrc);
        var prober = await portal.NewPatientAsync(withProfile: false);
        var fresh = await portal.NewPatientAsync(withProfile: false);

        var probed = await portal.WithScopeAsync(services => Profiles(services).SaveMineAsync(prober.Principal, Profile(nrc.ToLowerInvariant())));
        var unique = await portal.WithScopeAsync(services => Profiles(services).SaveMineAsync(fresh.Principal, Profile(NewNationalId())));

        // Before: ProfileSave.NationalIdTaken and "Another patient account already has this national ID".
        Assert.Equal(unique, probed);
        Assert.Equal(ProfileSave.Saved, probed);
        var saved = await portal.QueryAsync(db => db.PatientProfiles.SingleAsync(p => p.UserId == prober.UserId));
        Assert.Equal(nrc, saved.NationalId);
        Assert.Equal("+95 9 400 000 099", saved.Phone);

        var check = await portal.QueryAsync(db => db.IdentityChecks.SingleAsync(c => c.UserId == prober.UserId));
        Assert.Equal(holder.UserId, check.OtherUserId);
        Assert.Equal(IdentityCheck.DuplicateNationalId, check.Reason);
        Assert.False(await portal.QueryAsync(db => db.IdentityChecks.AnyAsync(c => c.UserId == fresh.UserId)));
    }

    [Fact]
    public async Task SavingTheSameDuplicateAgain_FlagsThePairOnce()
    {
        var nrc = NewNationalId();
        await PatientWithProfileAsync(nrc);
        var prober = await portal.NewPatientAsync(withProfile: false);
        await portal.WithScopeAsync(services => Profiles(services).SaveMineAsync(prober.Principal, Profile(nrc)));
        await portal.WithScopeAsync(services => Profiles(services).SaveMineAsync(prober.Principal, Profile(NewNationalId())));

        await portal.WithScopeAsync(services => Profiles(services).SaveMineAsync(prober.Principal, Profile(nrc)));

        Assert.Equal(1, await portal.QueryAsync(db => db.IdentityChecks.CountAsync(c => c.UserId == prober.UserId)));
    }

    [Fact]
    public async Task Steward_SeesBothAccountsWithTheNationalIdMasked()
    {
        var nrc = NewNationalId();
        var holder = await PatientWithProfileAsync(nrc);
        var prober = await portal.NewPatientAsync(withProfile: false);
        await portal.WithScopeAsync(services => Profiles(services).SaveMineAsync(prober.Principal, Profile(nrc)));
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));

        var list = await portal.WithScopeAsync(services => services.GetRequiredService<IdentityChecks>().ListAsync(admin));

        var flagged = Assert.Single(list!, c => c.Saved.UserId == prober.UserId);
        Assert.Equal(holder.UserId, flagged.Existing.UserId);
        Assert.Equal(prober.Email, flagged.Saved.Email);
        Assert.DoesNotContain(nrc, flagged.Saved.MaskedNationalId);
        Assert.EndsWith(nrc[^3..], flagged.Saved.MaskedNationalId);
        Assert.Equal(nrc.Length, flagged.Saved.MaskedNationalId.Length);
    }

    [Fact]
    public async Task StewardList_IsForAdminsOnly()
    {
        var patient = await portal.NewPatientAsync(withProfile: false);
        Assert.Null(await portal.WithScopeAsync(services => services.GetRequiredService<IdentityChecks>().ListAsync(patient.Principal)));
    }

    [Fact]
    public async Task StewardPage_OpensForAdmins()
    {
        var admin = await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Admin));
        var response = await admin.GetAsync("/admin/identity-checks");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Identity checks", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NationalIdLookups_AreLimitedPerNetwork()
    {
        using var limiter = new IdentityLookupLimiter(new RateLimitWindow { PermitLimit = 2, WindowSeconds = 300 });
        var prober = await portal.NewPatientAsync(withProfile: false);
        var outcomes = new List<ProfileSave>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            outcomes.Add(await portal.WithScopeAsync(services => Profiles(services, limiter, "203.0.113.77").SaveMineAsync(prober.Principal, Profile(NewNationalId()))));
        }
        var elsewhere = await portal.WithScopeAsync(services => Profiles(services, limiter, "198.51.100.77").SaveMineAsync(prober.Principal, Profile(NewNationalId())));

        Assert.Equal([ProfileSave.Saved, ProfileSave.Saved, ProfileSave.TooManyLookups], outcomes);
        Assert.Equal(ProfileSave.Saved, elsewhere);
    }

    [Fact]
    public async Task SavingWithoutChangingTheNationalId_IsNotALookup()
    {
        using var limiter = new IdentityLookupLimiter(new RateLimitWindow { PermitLimit = 1, WindowSeconds = 300 });
        var patient = await portal.NewPatientAsync(withProfile: false);
        var nrc = NewNationalId();

        var first = await portal.WithScopeAsync(services => Profiles(services, limiter, "203.0.113.78").SaveMineAsync(patient.Principal, Profile(nrc)));
        var again = await portal.WithScopeAsync(services => Profiles(services, limiter, "203.0.113.78").SaveMineAsync(patient.Principal, Profile(nrc)));

        Assert.Equal(ProfileSave.Saved, first);
        Assert.Equal(ProfileSave.Saved, again);
    }
}
