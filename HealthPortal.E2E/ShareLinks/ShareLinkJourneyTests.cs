using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Records;
using HealthPortal.Features.ShareLinks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.ShareLinks;

/// <summary>
/// Issue 14, share links: the demo patient makes a SMART Health Link with a PIN; a fresh browser context with no account
/// opens it, gets the PIN wrong once, then right, and reads the record with its ledger verdict. The test decrypts the
/// stored ciphertext itself (.NET AesGcm, key from the link) and checks that no request either browser made, no
/// circuit message and no server log line carried the key.
/// </summary>
public sealed class ShareLinkJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{

    [Fact]
    public async Task Patient_MakesLinkWithPin_StrangerOpensItAfterAWrongPin_KeyNeverReachesTheServer()
    {
        var sent = new ConcurrentQueue<string>();
        var demo = DemoData.Patients[0];
        var patient = await NewPageAsync(new PortalRole("patient " + demo.FullName, demo.Email, DemoPassword));
        Record(patient.Context, sent);
        var share = new ShareLinksPage(patient);
        await share.GotoAsync();

        // The seeded lab report: the viewer must show its results with units.
        var row = share.Selectable.Filter(new() { HasText = "Hemoglobin" }).First;
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var txId = await row.GetAttributeAsync("data-txid");
        await share.TickAsync(row);
        var label = "For Dr. Tan " + Guid.NewGuid().ToString("N")[..6];
        await share.Label.FillAsync(label);
        await share.Pin.FillAsync("4711");
        // The fields update the circuit as typed; wait for that render before clicking, so the click finds the button it saw.
        await Expect(patient.GetByText("4 digits: tell them")).ToBeVisibleAsync();
        await share.Make.ClickAsync();

        await Expect(share.LinkValue).ToHaveValueAsync(new Regex("/shl/view#shlink:/"), new() { Timeout = 30_000 });
        await Expect(share.Qr).ToHaveAttributeAsync("src", new Regex("^data:image/gif;base64,"));
        var link = await share.LinkValue.InputValueAsync();
        var payload = ShlinkPayload.Decode(link).Value!;
        Assert.Equal("P", payload.Flag);
        Assert.Equal(label, payload.Label);
        var id = Regex.Match(payload.Url, "/shl/([^/]+)/manifest$").Groups[1].Value;

        // An independent decryption: the server's stored bytes, the key from the link, .NET's AesGcm.
        var jwe = await Host.Services.GetRequiredService<ShareLinkStore>().CiphertextAsync(id);
        var plain = ShlJwe.Decrypt(payload.KeyBytes(), jwe!);
        Assert.True(plain.IsOk, plain.Message);
        var bundle = JsonNode.Parse(plain.Value!)!;
        Assert.Equal("collection", (string?)bundle["type"]);
        var record = bundle["entry"]!.AsArray().Single(e => (string?)e!["resource"]!["resourceType"] != "Provenance")!["resource"]!;
        Assert.Contains(txId!, bundle.ToJsonString());
        var anchored = Host.Services.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>().Reader.RecordsOf(DemoMpi()).Single(r => r.TxId == txId);
        Assert.Equal(anchored.Hash, RecordHash.OfJson(record.ToJsonString()));

        // A stranger: a new browser context with no account.
        var strangerPage = await NewPageAsync();
        Record(strangerPage.Context, sent);
        // The wrong PIN's 401 is the answer the page expects; Chromium logs every 4xx fetch as a console error.
        DiagnosticsOf(strangerPage).AllowError("401");
        var viewer = new ShlViewerPage(strangerPage);
        await viewer.OpenAsync(link);
        await Expect(viewer.Pin).ToBeVisibleAsync();
        await viewer.Recipient.FillAsync("Dr. Tan, Singapore General");
        await viewer.Pin.FillAsync("0000");
        await viewer.Open.ClickAsync();
        await Expect(viewer.Error).ToContainTextAsync("4 attempts remain");
        await viewer.Pin.FillAsync("4711");
        await viewer.Open.ClickAsync();

        await Expect(viewer.Records).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var shown = viewer.Records.First;
        await Expect(shown.GetByTestId("shl-record-verdict")).ToHaveAttributeAsync("data-verdict", "verified");
        await Expect(shown.GetByTestId("shl-record-anchor")).ToContainTextAsync(txId!);
        await Expect(shown.GetByTestId("shl-record-anchor")).ToContainTextAsync("block ");
        await Expect(shown.GetByTestId("shl-record-facility")).ToHaveTextAsync("Northgate Diagnostics Laboratory");
        await Expect(shown).ToContainTextAsync("Hemoglobin");
        await Expect(shown).ToContainTextAsync("g/dL");

        // The patient sees the opening in their list and in the access history.
        await share.GotoAsync();
        await Expect(share.LinkRow(label).GetByTestId("share-link-retrievals")).ToContainTextAsync("1");
        var access = new AccessHistoryPage(patient);
        await access.GotoAsync();
        var openings = patient.GetByTestId("share-link-opening").Filter(new() { HasText = label });
        await Expect(openings).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        await Expect(openings.Filter(new() { HasText = "Wrong PIN" })).ToHaveCountAsync(1);
        await Expect(openings.Filter(new() { HasText = "Dr. Tan, Singapore General" })).ToHaveCountAsync(2);

        // The key left neither browser: not in an address, a body, a circuit frame, nor any server log line.
        Assert.NotEmpty(sent);
        Assert.Contains(sent, s => s.Contains("/shl/" + id + "/manifest", StringComparison.Ordinal));
        Assert.Contains(sent, s => s.StartsWith(CircuitFrame, StringComparison.Ordinal));
        Assert.DoesNotContain(sent, s => s.Contains(payload.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(Host.Log.Since(0), line => line.Contains(payload.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(Host.Log.Since(0), line => line.Contains(link[link.IndexOf('#')..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Patient_RevokesLink_ViewerSaysSoInPlainWords()
    {
        var demo = DemoData.Patients[0];
        var patient = await NewPageAsync(new PortalRole("patient " + demo.FullName, demo.Email, DemoPassword));
        var share = new ShareLinksPage(patient);
        await share.GotoAsync();
        var row = share.Selectable.First;
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await share.TickAsync(row);
        var label = "Revoke me " + Guid.NewGuid().ToString("N")[..6];
        await share.Label.FillAsync(label);
        await Expect(patient.GetByText($"{label.Length} / 80")).ToBeVisibleAsync();
        await share.Make.ClickAsync();
        await Expect(share.LinkValue).ToHaveValueAsync(new Regex("shlink:/"), new() { Timeout = 30_000 });
        var link = await share.LinkValue.InputValueAsync();

        await share.LinkRow(label).GetByTestId("share-link-revoke").ClickAsync();
        await Expect(share.LinkRow(label).GetByTestId("share-link-status")).ToHaveTextAsync("Revoked");

        var stranger = await NewPageAsync();
        DiagnosticsOf(stranger).AllowError("410");
        var viewer = new ShlViewerPage(stranger);
        await viewer.OpenAsync(link);
        await Expect(viewer.Pin).ToBeHiddenAsync();
        await viewer.Recipient.FillAsync("Someone");
        await viewer.Open.ClickAsync();
        await Expect(viewer.Status).ToContainTextAsync("revoked this link");
        await Expect(viewer.Records).ToHaveCountAsync(0);
    }

    private string DemoMpi()
    {
        using var scope = Host.Services.CreateScope();
        using var db = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<HealthPortal.Data.ApplicationDbContext>>().CreateDbContext();
        var email = DemoData.Patients[0].Email;
        var userId = db.Users.Single(u => u.Email == email).Id;
        return db.PatientProfiles.Single(p => p.UserId == userId).MpiNumber!;
    }

    private const string CircuitFrame = "ws> ";

    /// <summary>Every address, request body and WebSocket (circuit) frame a context sends.</summary>
    private static void Record(IBrowserContext context, ConcurrentQueue<string> sent)
    {
        context.Request += (_, request) =>
        {
            sent.Enqueue(request.Method + " " + request.Url);
            try { if (request.PostData is { } body) sent.Enqueue(body); } catch (PlaywrightException) { /* binary body */ }
        };
        void Watch(IPage p) => p.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
            sent.Enqueue(CircuitFrame + (frame.Text ?? (frame.Binary is { } b ? System.Text.Encoding.UTF8.GetString(b) : "")));
        foreach (var p in context.Pages) Watch(p);
        context.Page += (_, p) => Watch(p);
    }
}
