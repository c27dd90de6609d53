using System.Globalization;
using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Localization;
using HealthPortal.Features.Patient;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The patient's home page (the first page after signing in) under Burmese: its own words, the sex and the birth date
/// (Burmese month name, day first) are Burmese; the name, NRC and phone are shown as entered. The panels other folders
/// put on it (key set-up, break-glass alert, waiting confirmations) are stubbed: their folders are in
/// <see cref="BurmeseRenderTests.NotDoneFolders"/> and are checked when they move. The access-request badge (Grants) is real.
/// </summary>
public sealed class PatientDashboardBurmeseTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    protected override Task ConfigureAsync()
    {
        database.AddTo(Services);
        ledger.AddTo(Services);
        Services.AddGrantServices();
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        ComponentFactories.AddStub<HealthPortal.Features.Keys.KeyCallToAction>();
        ComponentFactories.AddStub<HealthPortal.Features.BreakGlass.BreakGlassAlert>();
        ComponentFactories.AddStub<HealthPortal.Features.Anchoring.WaitingConfirmations>();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PatientDashboard_UnderBurmese_ShowsNoEnglishBeyondWhatThePatientEntered()
    {
        var aye = DemoData.Patients[0];
        Auth.SetAuthorized(aye.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(await database.ClaimsOfAsync(aye.Email));
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(PortalCultures.Burmese);
        try
        {
            var page = Render<PatientDashboard>();
            page.WaitForElement("[data-testid='patient-name']");

            // Entered by the patient (names as entered, never transliterated), so not the portal's words.
            var initials = string.Concat(aye.FullName.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2).Select(part => part[0]));
            var entered = new[] { aye.FullName, aye.NationalId, aye.Phone, initials };
            var english = BurmeseText.Of(page)
                .Select(text => entered.Aggregate(text, (t, value) => t.Replace(value, " ", StringComparison.Ordinal)))
                .SelectMany(BurmeseText.EnglishWords).Distinct().ToList();
            Assert.True(english.Count == 0, "English on the Burmese dashboard: " + string.Join(", ", english));

            Assert.Contains("ဧပြီ", page.Find("[data-testid='patient-birthdate']").TextContent); // April, day first
            Assert.StartsWith("12 ", page.Find("[data-testid='patient-birthdate']").TextContent.Trim());
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }
}
