using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Mpi;

/// <summary>The desk's walk-in check: candidates with the fields that agreed and disagreed, then "same person" or "new patient".</summary>
public sealed class WalkInCheckTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    private static readonly DemoData.Patient Aye = DemoData.Patients.Single(p => p.FullName == "Aye Aye Myint");
    private string ayeMpi = "";

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

        // The demo patient as registered here (an MPI number is what registration on the ledger gives).
        await using var db = database.CreateContext();
        var userId = (await database.UserAsync(Aye.Email)).Id;
        var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == userId);
        ayeMpi = profile.MpiNumber ??= MpiNumber.NewNumber();
        await db.SaveChangesAsync();
    }

    private static void Fill(IRenderedComponent<WalkInCheck> page, string testId, string value) =>
        page.Find($"input[data-testid='{testId}']").Change(value);

    [Fact]
    public void TheSamePatient_WrittenAnotherWay_IsACandidate_WithWhatAgreedAndDisagreed()
    {
        var page = Render<WalkInCheck>();
        Fill(page, "walk-in-name", "Daw Aye Aye Myint");
        Fill(page, "walk-in-birth-date", "04/12/1988"); // month first: the register has 12 April 1988
        Fill(page, "walk-in-nrc", "12/lamana(naing)100001");
        Fill(page, "walk-in-phone", "09 400 000 001");

        page.Find("[data-testid='walk-in-check']").Click();

        page.WaitForAssertion(() =>
        {
            var candidate = Assert.Single(page.FindAll("[data-testid='walk-in-candidate']"));
            Assert.Equal("A. A. M.", candidate.QuerySelector("[data-testid='candidate-initials']")!.TextContent.Trim());
            Assert.Contains("Very likely the same person", candidate.TextContent);
            Assert.Contains(candidate.QuerySelectorAll("[data-testid='field-partial']"), c => c.TextContent.Contains("swapped day/month"));
            Assert.Contains(candidate.QuerySelectorAll("[data-testid='field-agree']"), c => c.TextContent.Contains("NRC"));
            // The desk sees initials and birth year, not the stored name, NRC or phone.
            Assert.DoesNotContain("Myint", candidate.TextContent);
            Assert.DoesNotContain("100001", candidate.TextContent);
        });

        Fill(page, "walk-in-mrn", "h-2026-0042");
        page.Find("[data-testid='walk-in-same']").Click();

        // The desk's decision is the register's: Riverside's MRN now names Aye's MPI number.
        page.WaitForAssertion(() => Assert.Equal("H-2026-0042", page.Find("[data-testid='walk-in-linked-mrn']").TextContent.Trim()));
        using (var db = database.CreateContext())
        {
            var entry = db.Set<MpiRegisterEntry>().Single(e => e.FacilityId == "demo-riverside" && e.Mrn == "H-2026-0042");
            Assert.Equal(ayeMpi, entry.Mpi);
            Assert.Equal(RegisterSource.WalkIn, entry.Source);
            Assert.Equal("12/LAMANA(N)100001", entry.Nrc); // kept in its one normal form
        }
        page.Find("[data-testid='walk-in-open']").Click();
        Assert.EndsWith("facility/patients/" + ayeMpi, Services.GetRequiredService<NavigationManager>().Uri);

        // The same MRN cannot name a second patient; what was typed stays.
        page.Find("[data-testid='walk-in-check']").Click();
        page.WaitForElement("[data-testid='walk-in-new-patient']").Click();
        page.WaitForAssertion(() => Assert.Contains("already another patient's number",
            string.Concat(page.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent))));
        Assert.Equal("h-2026-0042", page.Find("input[data-testid='walk-in-mrn']").GetAttribute("value"));
    }

    [Fact]
    public void SomeoneNew_HasNoCandidates_AndTheDeskSendsThemToRegistration()
    {
        var page = Render<WalkInCheck>();
        Fill(page, "walk-in-name", "Ko Thet Naing Oo");
        Fill(page, "walk-in-birth-date", "21-9-1999");

        page.Find("[data-testid='walk-in-check']").Click();
        page.WaitForElement("[data-testid='walk-in-none']");
        page.Find("[data-testid='walk-in-new-patient']").Click();

        // A new MPI number is issued and the next W-number of Riverside's register is linked to it.
        var issued = page.WaitForElement("[data-testid='walk-in-new-mpi']").TextContent.Trim();
        Assert.True(MpiNumber.IsValid(issued), issued);
        using var db = database.CreateContext();
        var entry = db.Set<MpiRegisterEntry>().Single(e => e.Mpi == issued);
        Assert.Equal(("demo-riverside", "Ko Thet Naing Oo"), (entry.FacilityId, entry.FullName));
        Assert.StartsWith("W", entry.Mrn, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid='walk-in-candidate']"));
    }

    [Fact]
    public void AnUnreadableNrcOrDate_IsShownBesideItsField_AndNothingIsMatched()
    {
        var page = Render<WalkInCheck>();
        Fill(page, "walk-in-name", "Aye Aye Myint");
        Fill(page, "walk-in-birth-date", "31/02/1988");
        Fill(page, "walk-in-nrc", "12/LAMANA(N)1001");

        page.Find("[data-testid='walk-in-check']").Click();

        page.WaitForAssertion(() =>
        {
            var errors = string.Concat(page.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent));
            Assert.Contains("is not a date", errors);
            Assert.Contains("six digits", errors);
        });
        Assert.Empty(page.FindAll("[data-testid='walk-in-candidate']"));
        Assert.Equal("Aye Aye Myint", page.Find("input[data-testid='walk-in-name']").GetAttribute("value"));
    }
}
