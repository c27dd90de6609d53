using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The desk's walk-in check (<see cref="WalkInCheck"/>) under Burmese, as in WalkInCheckTests: the form's refusals of an
/// empty name and a misread NRC, a candidate with the fields that agreed and disagreed, and the new patient's number.
/// The candidate's initials, the MPI numbers and what the desk typed are data.
/// </summary>
public sealed class WalkInBurmeseTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    private static readonly DemoData.Patient Aye = DemoData.Patients.Single(p => p.FullName == "Aye Aye Myint");

    protected override async Task ConfigureAsync()
    {
        database.AddTo(Services);
        ledger.AddTo(Services);
        Services.AddMpi();
        var email = DemoData.AccountFor(Roles.FacilityStaff, "demo-riverside").Email;
        Auth.SetAuthorized(email);
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims(await database.ClaimsOfAsync(email));
        await using var db = database.CreateContext();
        var userId = (await database.UserAsync(Aye.Email)).Id;
        var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == userId);
        profile.MpiNumber ??= MpiNumber.NewNumber();
        await db.SaveChangesAsync();
    }

    private static void Fill(IRenderedComponent<WalkInCheck> page, string testId, string value) =>
        page.Find($"input[data-testid='{testId}']").Change(value);

    [Fact]
    public void WalkInCheck_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<WalkInCheck>();
            Fill(page, "walk-in-nrc", "12/LAMANA(X)1");
            page.Find("[data-testid='walk-in-check']").Click(); // no name, an NRC that does not read: both refused
            page.WaitForAssertion(() => Assert.Contains("လူနာ၏ အမည်ကို ထည့်ပါ", page.Markup, StringComparison.Ordinal));
            var shown = BurmeseText.Of(page).ToList();

            Fill(page, "walk-in-name", "Daw Aye Aye Myint");
            Fill(page, "walk-in-birth-date", "04/12/1988");
            Fill(page, "walk-in-nrc", "12/lamana(naing)100001");
            Fill(page, "walk-in-phone", "09 400 000 001");
            page.Find("[data-testid='walk-in-check']").Click();
            page.WaitForElement("[data-testid='walk-in-candidate']");
            shown.AddRange(BurmeseText.Of(page));

            page.Find("[data-testid='walk-in-new-patient']").Click();
            page.WaitForElement("[data-testid='walk-in-new-mpi']");
            shown.AddRange(BurmeseText.Of(page));
            return shown;
        });

        var initials = texts.Where(t => System.Text.RegularExpressions.Regex.IsMatch(t, @"^([A-Z]\. ?)+$"));
        BurmeseText.AssertBurmeseBeyond(texts, ["Daw Aye Aye Myint", "12/lamana(naing)100001", .. initials], "the Burmese walk-in check");
        Assert.Contains(texts, t => t.Contains("လူတစ်ဦးတည်း ဖြစ်ရန် အလွန်များသည်", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("လူနာသစ်- MPI နံပါတ်", StringComparison.Ordinal));
    }
}
