using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.ShareLinks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.ShareLinks;

/// <summary>
/// Issue 14's last gap, with the demo family in Chromium: the demo son, acting for his father under the caregiver
/// delegation seeding gave him (view, share, co-sign), makes a share link of his father's record; a fresh browser
/// context with no account opens and decrypts it; the father sees in his access history that his son made it and that
/// it was opened, revokes it on his own share page, and the link then says it is revoked. Nothing is arranged beyond
/// what demo seeding made.
/// </summary>
public sealed class DelegateShareLinkJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : HealthPortal.E2E.Delegation.DemoFamilyTest(host, chromium, output)
{
    [Fact]
    public async Task DemoSon_MakesALinkForHisFather_AStrangerOpensIt_TheFatherSeesWhoMadeIt_RevokesIt_AndItSaysRevoked()
    {
        var father = DemoData.Father;
        var fatherMpi = await MpiOfAsync(father.FullName);
        var sonMpi = await MpiOfAsync(DemoData.Son.FullName);
        var son = await NewPageAsync(Role(DemoData.Son));

        // The son switches to his father; the share page is then his father's, and says so.
        await ActForAsync(son, fatherMpi, father.FullName);

        var share = new ShareLinksPage(son);
        await share.GotoAsync();
        await Expect(share.ActingFor).ToContainTextAsync(father.FullName);
        var row = share.Selectable.Filter(new() { HasText = "Riverside General Hospital" }).First;
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var txId = await row.GetAttributeAsync("data-txid");
        await share.TickAsync(row);
        var label = "For Dr. Lim " + Guid.NewGuid().ToString("N")[..6];
        await share.Label.FillAsync(label);
        // The label updates the circuit as typed; wait for that render before clicking.
        await Expect(son.GetByText($"{label.Length} / 80")).ToBeVisibleAsync();
        await share.Make.ClickAsync();
        await Expect(share.LinkValue).ToHaveValueAsync(new Regex("/shl/view#shlink:/"), new() { Timeout = 30_000 });
        var link = await share.LinkValue.InputValueAsync();
        await Expect(share.LinkRow(label).GetByTestId("share-link-made-by")).ToHaveTextAsync("you");

        // What the server stored is the father's record, made by the son: decrypted here with the key from the link.
        var payload = ShlinkPayload.Decode(link).Value!;
        var id = Regex.Match(payload.Url, "/shl/([^/]+)/manifest$").Groups[1].Value;
        var store = Host.Services.GetRequiredService<ShareLinkStore>();
        Assert.Equal((fatherMpi, sonMpi), ((await store.FindAsync(id))!.Mpi, (await store.FindAsync(id))!.MadeBy));
        var ciphertext = (await store.CiphertextAsync(id))!;
        var plain = ShlJwe.Decrypt(payload.KeyBytes(), ciphertext);
        Assert.True(plain.IsOk, plain.Message);
        var bundle = JsonNode.Parse(plain.Value!)!.ToJsonString();
        Assert.Contains(txId!, bundle);
        Assert.Contains(fatherMpi, bundle);
        Assert.DoesNotContain(sonMpi, bundle);

        // A stranger with no account opens it in a fresh context; the browser decrypts it.
        var stranger = await NewPageAsync();
        var viewer = new ShlViewerPage(stranger);
        await viewer.OpenAsync(link);
        await viewer.Recipient.FillAsync("Dr. Lim, Bangkok");
        await viewer.Open.ClickAsync();
        await Expect(viewer.Records).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(viewer.Records.First.GetByTestId("shl-record-verdict")).ToHaveAttributeAsync("data-verdict", "verified");
        await Expect(viewer.Records.First.GetByTestId("shl-record-facility")).ToHaveTextAsync("Riverside General Hospital");

        // The father, signed in himself, sees that his son made it and that it was opened.
        var fatherPage = await NewPageAsync(Role(father));
        await new AccessHistoryPage(fatherPage).GotoAsync();
        var openings = fatherPage.GetByTestId("share-link-opening").Filter(new() { HasText = label });
        await Expect(openings).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Expect(openings.GetByTestId("share-link-opening-outcome")).ToHaveTextAsync(["Opened", $"Made by {DemoData.Son.FullName} for you"]);
        await Expect(openings.Filter(new() { HasText = "Dr. Lim, Bangkok" }).GetByTestId("share-link-opening-made-by"))
            .ToHaveTextAsync($"made by {DemoData.Son.FullName} for you");

        // He revokes it on his own share page; the link then says so.
        var fathersShare = new ShareLinksPage(fatherPage);
        await fathersShare.GotoAsync();
        var fathersRow = fathersShare.LinkRow(label);
        await Expect(fathersRow.GetByTestId("share-link-made-by")).ToHaveTextAsync($"{DemoData.Son.FullName} for you", new() { Timeout = 30_000 });
        await Expect(fathersRow.GetByTestId("share-link-retrievals")).ToContainTextAsync("1");
        await fathersRow.GetByTestId("share-link-revoke").ClickAsync();
        await Expect(fathersRow.GetByTestId("share-link-status")).ToHaveTextAsync("Revoked");

        var later = await NewPageAsync();
        DiagnosticsOf(later).AllowError("410");
        var again = new ShlViewerPage(later);
        await again.OpenAsync(link);
        await again.Recipient.FillAsync("Dr. Lim, Bangkok");
        await again.Open.ClickAsync();
        await Expect(again.Status).ToContainTextAsync("revoked this link");
        await Expect(again.Records).ToHaveCountAsync(0);
    }
}
