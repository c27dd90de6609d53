using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.DemoMode;
using HealthPortal.Ledger.Transactions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Delegation;

/// <summary>
/// Issue 14's sharing by a delegate in Chromium, with the demo family: the Sharing page follows "acting for". The demo
/// mother, guardian of her child (every power), grants a facility access to the child's records, sees it in the child's
/// list and revokes it, each signed with her own browser key under the guardianship. The demo
/// son, who holds his father's caregiver delegation with the share power, grants and revokes for him, the father's
/// access history shows both acts by his son, and when the father revokes the delegation the son's open Sharing page
/// gives way to the reason.
/// </summary>
public sealed class DelegateSharingJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : DemoFamilyTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";

    /// <summary>
    /// On the Sharing page acting for <paramref name="forName"/>: shares lab results with <paramref name="facilityId"/>,
    /// checks the review and the done message name the person, and returns the new grant's id from the list.
    /// </summary>
    private static async Task<string> GrantLabResultsAsync(SharingPage sharing, string facilityId, string facilityName, string forName)
    {
        await sharing.Facility(facilityId).CheckAsync();
        await sharing.Kind("lab-result").CheckAsync();
        await sharing.Purpose("referral").CheckAsync();
        await sharing.Review.ClickAsync();
        await Expect(sharing.Summary).ToContainTextAsync($"{facilityName} may see {forName}'s lab results for referral");
        await sharing.Sign.ClickAsync();
        await Expect(sharing.Done).ToContainTextAsync($"{facilityName} can see {forName}'s lab results", new() { Timeout = 30_000 });
        var row = sharing.RowsIn("active").Filter(new() { HasText = facilityName });
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        return (await row.GetAttributeAsync("data-grant-id"))!;
    }

    /// <summary>Revokes the grant from the list, after the dialog naming whose records it concerns.</summary>
    private static async Task RevokeAsync(SharingPage sharing, string grantId, string facilityName, string forName)
    {
        await sharing.Row(grantId).GetByTestId("grant-revoke").ClickAsync();
        await Expect(sharing.RevokeDialog).ToContainTextAsync($"{facilityName} will no longer see {forName}'s lab results");
        await sharing.RevokeConfirm.ClickAsync();
        await Expect(sharing.Notice).ToContainTextAsync($"Revoked: {facilityName} can no longer see {forName}'s records", new() { Timeout = 30_000 });
        await Expect(sharing.Row(grantId)).ToHaveAttributeAsync("data-status", "revoked");
    }

    [Fact]
    public async Task DemoMother_GrantsAFacilityAccessToHerChildsRecords_SeesItInTheList_AndRevokesIt()
    {
        var child = DemoData.MothersChild;
        var childMpi = await MpiOfAsync(child.FullName);
        var motherMpi = await MpiOfAsync(DemoData.Mother.FullName);
        var mother = await SignInWithKeyAsync(DemoData.Mother);
        await ActForAsync(mother, childMpi, child.FullName);

        var sharing = new SharingPage(mother);
        await sharing.GotoAsync();
        await sharing.WaitForInteractiveAsync();
        await Expect(mother.GetByTestId("sharing-acting-for")).ToContainTextAsync($"You are acting for {child.FullName} (you are their guardian)");
        await Expect(mother.GetByTestId("grants-heading")).ToHaveTextAsync($"{child.FullName}'s grants");
        await Expect(mother.GetByTestId("grants-empty")).ToContainTextAsync($"{child.FullName} has not shared their records with any facility");

        var grantId = await GrantLabResultsAsync(sharing, Lakeview, "Lakeview Family Clinic", child.FullName);
        await RevokeAsync(sharing, grantId, "Lakeview Family Clinic", child.FullName);

        // On the ledger: the child's grant, issued and revoked by the mother's own key under the guardianship.
        var grant = Ledger.Reader.Grant(grantId)!;
        Assert.Equal(childMpi, grant.Mpi);
        Assert.NotNull(grant.RevokedHeight);
        var acts = Ledger.Reader.DelegatedActsOf(childMpi).Where(a => a.Power == DelegationPowers.Share).ToList();
        Assert.Equal([TxType.GrantIssue, TxType.GrantRevoke], acts.Select(a => a.Type));
        Assert.All(acts, a => Assert.Equal((motherMpi, DelegationKinds.Guardian), (a.Delegate, Ledger.Reader.Delegation(a.Delegation)!.Kind)));
        Assert.DoesNotContain(Ledger.Reader.GrantsOf(motherMpi), g => g.Id == grantId);
    }

    [Fact]
    public async Task DemoSon_GrantsAndRevokesForHisFather_TheFatherSeesBoth_AndHisRevocationEndsTheSonsOpenSharingPage()
    {
        var father = DemoData.Father;
        var son = DemoData.Son;
        var fatherMpi = await MpiOfAsync(father.FullName);

        // Seeded: the father lets his son view, share and co-sign.
        var sharingDelegation = Ledger.Reader.DelegationsOf(fatherMpi).Single(d => d.Mpi == fatherMpi && d.Grants(DelegationPowers.Share));
        var fatherPage = await SignInWithKeyAsync(father);

        var sonPage = await SignInWithKeyAsync(son);
        await ActForAsync(sonPage, fatherMpi, father.FullName);
        var sharing = new SharingPage(sonPage);
        await sharing.GotoAsync();
        await sharing.WaitForInteractiveAsync();
        await Expect(sonPage.GetByTestId("sharing-acting-for")).ToContainTextAsync($"You are acting for {father.FullName} (you are their caregiver)");
        var grantId = await GrantLabResultsAsync(sharing, Northgate, "Northgate Diagnostics Laboratory", father.FullName);
        await RevokeAsync(sharing, grantId, "Northgate Diagnostics Laboratory", father.FullName);
        Assert.All(Ledger.Reader.DelegatedActsOf(fatherMpi).Where(a => a.Power == DelegationPowers.Share),
            a => Assert.Equal(sharingDelegation.Id, a.Delegation));

        // The father's access history names his son for both acts.
        var access = new AccessHistoryPage(fatherPage);
        await access.GotoAsync();
        var acts = fatherPage.GetByTestId("delegated-act-what");
        await Expect(acts.Filter(new() { HasText = $"Granted by {son.FullName} for you: Northgate Diagnostics Laboratory" })).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(acts.Filter(new() { HasText = $"Revoked by {son.FullName} for you: Northgate Diagnostics Laboratory" })).ToHaveCountAsync(1);

        // The son keeps the Sharing page open; the father revokes the delegation; the page gives way to the reason.
        await Expect(sonPage.GetByTestId("share-panel")).ToBeVisibleAsync();
        await fatherPage.GotoAsync("patient/delegations");
        await fatherPage.WaitForInteractiveAsync();
        var row = fatherPage.Locator($"[data-testid='delegation-row'][data-delegation-id='{sharingDelegation.Id}']");
        await row.GetByTestId("delegation-revoke").ClickAsync();
        await Expect(fatherPage.GetByTestId("delegations-notice")).ToContainTextAsync("Revoked in block", new() { Timeout = 30_000 });

        await Expect(sonPage.GetByTestId("sharing-not-allowed")).ToContainTextAsync($"You may not act for {father.FullName} now", new() { Timeout = 30_000 });
        await Expect(sonPage.GetByTestId("share-panel")).ToHaveCountAsync(0);
        await Expect(sharing.Rows).ToHaveCountAsync(0);
    }
}
