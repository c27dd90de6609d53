using System.Net;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Security;
using HealthPortal.Tests.Features.Auth.Sessions;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Patient;

/// <summary>
/// Issue 16: a patient had two phone fields (the account page's and their details'), which could disagree. The
/// details' number is now the one: saving it updates the account's, and the account page shows it without a field.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class OnePhoneNumberTests(PortalFactory portal)
{
    private static PatientProfiles Profiles(IServiceProvider services) => new(
        services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(),
        services.GetRequiredService<IAuthorizationService>(),
        TimeProvider.System,
        services.GetRequiredService<IdentityLookupLimiter>(),
        new CircuitClientAddress());

    private static PatientProfileInput Details(string phone) => new()
    {
        FullName = "Phone Owner",
        BirthDate = new DateTime(1985, 6, 7),
        Sex = Sex.Male,
        NationalId = "9/PHONE(N)" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant(),
        Phone = phone,
    };

    private Task<string?> AccountPhoneAsync(string userId) =>
        portal.QueryAsync(db => db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PhoneNumber).SingleAsync());

    [Fact]
    public async Task SavingDetails_SetsTheAccountsPhone_AndAChangeFollows()
    {
        var patient = await portal.NewPatientAsync(withProfile: false);

        Assert.Equal(ProfileSave.Saved, await portal.WithScopeAsync(s => Profiles(s).SaveMineAsync(patient.Principal, Details("+95 9 420 000 111"))));
        Assert.Equal("+95 9 420 000 111", await AccountPhoneAsync(patient.UserId));

        Assert.Equal(ProfileSave.Saved, await portal.WithScopeAsync(s => Profiles(s).SaveMineAsync(patient.Principal, Details("09 420 000 222"))));
        Assert.Equal("09 420 000 222", await AccountPhoneAsync(patient.UserId));
    }

    [Fact]
    public async Task AccountPage_ForAPatient_ShowsTheDetailsNumber_WithoutASecondField()
    {
        var patient = await portal.NewPatientAsync();
        var (browser, _) = await SessionKit.SignInAsync(portal, patient.Email);

        var html = await browser.GetStringAsync("/Account/Manage");

        Assert.DoesNotContain("Input.PhoneNumber", html);
        Assert.Contains("9 000 000 000", html); // Razor writes the "+" as &#x2B;
        Assert.Contains("data-testid=\"phone-in-details\"", html);
    }

    [Fact]
    public async Task AccountPage_ForStaff_KeepsItsPhoneField()
    {
        var staff = await portal.CreateUserAsync(Roles.Admin);
        var (browser, _) = await SessionKit.SignInAsync(portal, staff.Email!);

        var html = await browser.GetStringAsync("/Account/Manage");

        Assert.Contains("Input.PhoneNumber", html);
        Assert.DoesNotContain("data-testid=\"phone-in-details\"", html);
    }
}
