using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Desk;

/// <summary>
/// Issue 13's merge journey in Chromium with the demo data as seeded: Aye Aye Myint registered twice (her second account
/// "Ma Aye Aye Myint" holds a second MPI number and a Northgate blood count). Lakeview's steward finds the pair already
/// in the queue and merges it keeping Aye's first number; the second account signs on its merge page (its keys carry
/// over); Aye reads what the merge does on /patient/identity/merge/{id} and signs; her timeline shows the records of
/// both numbers; the steward splits the merge and the second number's record leaves her timeline.
/// </summary>
public sealed class MergeJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";

    private PortalRole Steward => new(Roles.FacilityManager, DemoData.AccountFor(Roles.FacilityManager, Lakeview).Email, DemoPassword);

    [Fact]
    public async Task StewardMergesTheDemoDuplicate_BothHoldersSign_TimelineJoins_ThenASplitUndoesIt()
    {
        var aye = DemoData.Patients.Single(p => p.FullName == "Aye Aye Myint");
        var ayeMpi = await MpiOfAsync(aye.Email);
        var secondMpi = await MpiOfAsync(DemoData.RegisteredTwice.Email);
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Reader;
        var secondRecord = Assert.Single(ledger.RecordsOf(secondMpi));

        // The pair is in Lakeview's queue as soon as the steward signs in; merged keeping Aye's first number.
        var steward = await NewPageAsync(Steward);
        await steward.GotoAsync("facility/mpi-review");
        await steward.WaitForInteractiveAsync();
        var pair = steward.GetByTestId("mpi-review-item").Filter(new() { HasText = "Ma Aye Aye Myint" });
        await Expect(pair).ToHaveCountAsync(1);
        await pair.Locator("textarea[data-testid='mpi-review-reason']").FillAsync("Same birth date and phone; she signed up again with a new address.");
        await pair.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = $"Merge, keep {ayeMpi}" }).ClickAsync();
        await Expect(steward.GetByTestId("mpi-review-message")).ToContainTextAsync("Sent to the patient");
        var merge = steward.GetByTestId("mpi-merge").Filter(new() { HasText = secondMpi });
        await Expect(merge).ToHaveAttributeAsync("data-status", "WaitingForPatient");
        var mergeId = await merge.GetAttributeAsync("data-merge-id");

        // The second account signs first, so its key and sharing carry over.
        var second = await PhoneWithKeyAsync(new PortalRole("patient (second registration)", DemoData.RegisteredTwice.Email, DemoPassword));
        await second.GotoAsync("patient/identity");
        await second.WaitForInteractiveAsync();
        await second.GetByTestId("identity-merge").Filter(new() { HasText = secondMpi }).GetByTestId("identity-merge-review").ClickAsync();
        await Expect(second.GetByTestId("merge-explained")).ToHaveAttributeAsync("data-role", "retired");
        await second.WaitForInteractiveAsync();
        await Expect(second.GetByTestId("merge-sign")).ToBeEnabledAsync();
        await second.GetByTestId("merge-sign").ClickAsync();
        await Expect(second.GetByTestId("merge-retired-signed")).ToBeVisibleAsync();
        Assert.Null(ledger.StandingMerge(secondMpi)); // nothing on the network until Aye signs

        // Aye reads what the merge does, then signs in Chromium.
        var phone = await PhoneWithKeyAsync(new PortalRole("patient " + aye.FullName, aye.Email, DemoPassword));
        await phone.GotoAsync($"patient/identity/merge/{mergeId}");
        await phone.WaitForInteractiveAsync();
        await Expect(phone.GetByTestId("merge-retired")).ToHaveTextAsync(secondMpi);
        await Expect(phone.GetByTestId("merge-surviving")).ToHaveTextAsync(ayeMpi);
        await Expect(phone.GetByTestId("merge-keys")).ToHaveAttributeAsync("data-carried", "true");
        await Expect(phone.GetByTestId("merge-sign")).ToBeEnabledAsync();
        await phone.GetByTestId("merge-sign").ClickAsync();
        await Expect(phone.GetByTestId("merge-done")).ToHaveAttributeAsync("data-status", "Merged");
        Assert.True(ledger.StandingMerge(secondMpi)!.KeysCarried);

        // Her timeline now holds the second number's blood count beside her own records.
        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        await Expect(timeline.Row(secondRecord.TxId)).ToHaveCountAsync(1);
        var own = ledger.RecordsOf(ayeMpi).First();
        await Expect(timeline.Row(own.TxId)).ToHaveCountAsync(1);

        // The steward splits it: the second number stands on its own again and its record leaves her timeline.
        await steward.GotoAsync("facility/mpi-review");
        await steward.WaitForInteractiveAsync();
        var merged = steward.Locator($"[data-testid='mpi-merge'][data-merge-id='{mergeId}']");
        await Expect(merged).ToHaveAttributeAsync("data-status", "Merged");
        await merged.GetByTestId("mpi-merge-split").ClickAsync();
        await steward.GetByTestId("mpi-split-confirm").GetByText("merged by mistake").ClickAsync();
        await steward.Locator("textarea[data-testid='mpi-split-words']").FillAsync("Demo: undone to try the merge again.");
        await steward.GetByTestId("mpi-split-send").ClickAsync();
        await Expect(steward.GetByTestId("mpi-review-message")).ToContainTextAsync("Split");
        Assert.Null(ledger.StandingMerge(secondMpi));
        await timeline.GotoAsync();
        await Expect(timeline.Row(own.TxId)).ToHaveCountAsync(1);
        await Expect(timeline.Row(secondRecord.TxId)).ToHaveCountAsync(0);
    }

    private async Task<Microsoft.Playwright.IPage> PhoneWithKeyAsync(PortalRole role)
    {
        var phone = await NewPageAsync(role);
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();
        return phone;
    }

    private async Task<string> MpiOfAsync(string email)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == email select p.MpiNumber!).SingleAsync();
    }
}
