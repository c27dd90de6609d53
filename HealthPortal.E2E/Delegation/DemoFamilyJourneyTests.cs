using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Delegation;

/// <summary>
/// Issue 14's "Done when" with the demo data in Chromium: the demo mother acts for her demo child (every patient page
/// says whose data it shows; the child's timeline; she co-signs the visit waiting for the child), and the demo son
/// co-signs for his father, the father sees it in his access history and revokes, and the son's open records page
/// drops his father's records from the revocation's block. Nothing is arranged beyond what demo seeding made.
/// </summary>
public sealed class DemoFamilyJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : DemoFamilyTest(host, chromium, output)
{
    /// <summary>Patient pages that show only the signed-in person's own data and must say so while acting for someone else.</summary>
    private static readonly string[] OwnDataPages =
        ["patient/identity", "patient/devices", "patient/delegations", "patient/card"];

    /// <summary>From the home page acting for the person: opens their one waiting visit, reads it and co-signs it.</summary>
    private async Task<string> CosignWaitingVisitAsync(IPage page, string forName)
    {
        var home = new PatientDashboardPage(page);
        await home.GotoAsync();
        await Expect(page.GetByTestId("dashboard-acting-for")).ToContainTextAsync(forName);
        await Expect(home.WaitingItems).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var id = (await home.WaitingItems.First.GetAttributeAsync("data-confirmation-id"))!;
        await home.WaitingItems.First.ClickAsync();
        await page.WaitForPathAsync("/patient/confirm/" + id);
        var confirm = new ConfirmRecordsPage(page, id);
        await confirm.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("confirm-acting-for")).ToContainTextAsync(forName);
        await Expect(confirm.Facility).ToHaveTextAsync("Lakeview Family Clinic");
        await confirm.ReadEverythingAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return id;
    }

    [Fact]
    public async Task DemoMother_ActsForHerChild_EveryPageSaysWhose_SeesTheTimeline_AndCosignsTheWaitingVisit()
    {
        var child = DemoData.MothersChild;
        var childMpi = await MpiOfAsync(child.FullName);
        var mother = await SignInWithKeyAsync(DemoData.Mother);
        var seededActs = Ledger.Reader.DelegatedActsOf(childMpi).Select(a => a.TxId).ToHashSet();

        await ActForAsync(mother, childMpi, child.FullName);

        // Every patient page names whose data it shows: the child's, or the mother's own with a line saying so.
        var records = new RecordsTimelinePage(mother);
        await records.GotoAsync();
        await Expect(mother.GetByTestId("records-acting-for")).ToContainTextAsync(child.FullName);
        await Expect(mother.GetByTestId("records-acting-for")).ToContainTextAsync("you are their guardian");
        await Expect(mother.GetByTestId("records-title")).ToHaveTextAsync($"{child.FullName}'s health records");
        await Expect(records.Rows.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(records.Rows.Filter(new() { HasText = "Riverside General Hospital" }).First).ToBeVisibleAsync();
        await Expect(records.RowsWith("Verified").First).ToBeVisibleAsync();
        var before = await records.Rows.CountAsync();
        foreach (var path in OwnDataPages)
        {
            await mother.GotoAsync(path);
            await mother.WaitForInteractiveAsync();
            await Expect(mother.GetByTestId("own-data-notice"), $"{path} says whose data it shows").ToContainTextAsync(child.FullName);
        }
        // A guardian holds the share power: the Sharing page and the share links page are the child's, and say so.
        await mother.GotoAsync("patient/grants");
        await Expect(mother.GetByTestId("sharing-acting-for")).ToContainTextAsync(child.FullName, new() { Timeout = 30_000 });
        await Expect(mother.GetByTestId("grants-heading")).ToHaveTextAsync($"{child.FullName}'s grants");
        await mother.GotoAsync("patient/share");
        await Expect(mother.GetByTestId("share-acting-for")).ToContainTextAsync(child.FullName, new() { Timeout = 30_000 });
        await Expect(mother.GetByTestId("share-links").GetByRole(AriaRole.Heading)).ToHaveTextAsync($"{child.FullName}'s share links");
        // The health summary and the access history follow the choice (the view power) and say whose they are.
        await mother.GotoAsync("patient/summary");
        await Expect(mother.GetByTestId("summary-acting-for")).ToContainTextAsync(child.FullName, new() { Timeout = 30_000 });
        await Expect(mother.GetByTestId("summary-title")).ToHaveTextAsync($"{child.FullName}'s health summary");
        await mother.GotoAsync("patient/access");
        await mother.WaitForInteractiveAsync();
        await Expect(mother.GetByTestId("access-acting-for")).ToContainTextAsync(child.FullName);

        await CosignWaitingVisitAsync(mother, child.FullName);

        // On the ledger: the child's record, co-signed by the mother's own key under the guardianship.
        // (Seeding already anchored Riverside's records the same way, with her demo enrolment key.)
        var motherMpi = await MpiOfAsync(DemoData.Mother.FullName);
        var acts = Ledger.Reader.DelegatedActsOf(childMpi).Where(a => !seededActs.Contains(a.TxId)).ToList();
        Assert.NotEmpty(acts);
        Assert.All(acts, a => Assert.Equal((DelegationPowers.Cosign, motherMpi, DelegationKinds.Guardian), (a.Power, a.Delegate, Ledger.Reader.Delegation(a.Delegation)!.Kind)));
        var lakeview = Ledger.Reader.RecordsOf(childMpi).Where(r => acts.Any(a => a.TxId == r.TxId)).Select(r => Ledger.Reader.Node(r.Facility)!.Name).Distinct();
        Assert.Equal(["Lakeview Family Clinic"], lakeview);
        await records.GotoAsync();
        await Expect(records.Rows.Filter(new() { HasText = "Lakeview Family Clinic" }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.True(await records.Rows.CountAsync() > before);
    }

    [Fact]
    public async Task DemoSon_CosignsForHisFather_TheFatherSeesItInHisAccessHistory_AndHisRevocationEndsTheSonsOpenPage()
    {
        var father = DemoData.Father;
        var fatherMpi = await MpiOfAsync(father.FullName);
        var son = await SignInWithKeyAsync(DemoData.Son);
        await ActForAsync(son, fatherMpi, father.FullName);

        await CosignWaitingVisitAsync(son, father.FullName);

        // The father, signed in on his own device, sees what his son did for him.
        var fatherPage = await SignInWithKeyAsync(father);
        var access = new AccessHistoryPage(fatherPage);
        await access.GotoAsync();
        // One act per record of the visit (the visit and its vital signs), each by the son.
        var signed = Ledger.Reader.DelegatedActsOf(fatherMpi);
        Assert.NotEmpty(signed);
        var acts = fatherPage.GetByTestId("delegated-act");
        await Expect(acts).ToHaveCountAsync(signed.Count, new() { Timeout = 30_000 });
        foreach (var act in await acts.AllAsync())
            await Expect(act.GetByTestId("delegated-act-who")).ToContainTextAsync(DemoData.Son.FullName);

        // The son keeps his father's records open; the father revokes; the open page drops them from that block on.
        var records = new RecordsTimelinePage(son);
        await records.GotoAsync();
        await Expect(son.GetByTestId("records-acting-for")).ToContainTextAsync(father.FullName);
        await Expect(records.Rows.Filter(new() { HasText = "Lakeview Family Clinic" }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await fatherPage.GotoAsync("patient/delegations");
        await fatherPage.WaitForInteractiveAsync();
        var given = fatherPage.GetByTestId("delegations-given").GetByTestId("delegation-row");
        await Expect(given).ToHaveCountAsync(1);
        await Expect(given.First).ToContainTextAsync(DemoData.Son.FullName);
        await given.First.GetByTestId("delegation-revoke").ClickAsync();
        await Expect(fatherPage.GetByTestId("delegations-notice")).ToContainTextAsync("Revoked in block", new() { Timeout = 30_000 });

        await Expect(son.GetByTestId("records-access-ended")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(records.Rows).ToHaveCountAsync(0);
        Assert.NotNull(Ledger.Reader.DelegationsOf(fatherMpi).Single(d => d.Mpi == fatherMpi).RevokedHeight);
    }

    [Fact]
    public async Task LoginPage_ListsTheDemoFamily_WithWhatToTry()
    {
        var login = new LoginPage(Page);
        await login.GotoAsync();
        foreach (var account in DemoData.FamilyAccounts)
        {
            var hint = Page.Locator($"[data-testid='demo-try'][data-email='{account.Email}']");
            await Expect(hint).ToBeVisibleAsync();
            await Expect(hint).ToHaveTextAsync(account.Try!);
        }
    }
}
