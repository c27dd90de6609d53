using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Admin;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Patient;

/// <summary>
/// A patient's key in a real Chromium: made by WebCrypto, kept in IndexedDB, proof of work in a Web Worker, signed
/// registration on the portal's ledger, MPI card, a second browser linked by one-time code. The host's patient
/// difficulty is 10 bits, so the proof of work takes a moment.
/// </summary>
public sealed class PatientKeyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Password = "e2e patient password 2026";

    [Fact]
    public async Task Patient_SignsUpRegistersKeyGetsMpiCard_KeySignsAfterReload_AndLinksASecondBrowserByCode()
    {
        var email = $"e2e-{Guid.NewGuid():N}@example.test";

        // Sign up and give the details the MPI number is issued for.
        await new SignUpPage(Page).GotoAsync();
        await new SignUpPage(Page).SignUpAsync("Hla Hla Win", email, Password);
        var dashboard = new PatientDashboardPage(Page);
        await dashboard.FillDetailsAsync("Hla Hla Win", "03/02/1990", "14/PATHANA(N)" + Random.Shared.Next(100_000, 999_999), "+95 9 400 000 003");
        await dashboard.SetUpKey.ClickAsync();

        // Make the key, stamp the registration, review exactly what is signed, sign.
        var setup = new KeySetupPage(Page);
        await Page.WaitForPathAsync("/patient/key");
        await setup.WaitForInteractiveAsync();
        await setup.MakeKey.ClickAsync();
        await Expect(setup.NonExtractable).ToBeVisibleAsync();
        await Expect(setup.PowProgress).ToBeVisibleAsync();
        await Expect(setup.SignAndRegister).ToBeEnabledAsync(new() { Timeout = 60_000 });
        await Expect(setup.PowStatus).ToContainTextAsync("Done");
        var mpi = (await setup.SummaryMpi.InnerTextAsync()).Trim();
        Assert.True(MpiNumber.IsValid(mpi), mpi);
        await setup.ShowCanonicalJsonAsync();
        var canonical = await setup.CanonicalJson.InnerTextAsync();
        Assert.StartsWith("{\"body\":{\"demographics\":", canonical);
        Assert.Contains($"\"mpi\":\"{mpi}\"", canonical);
        Assert.EndsWith(",\"type\":\"patient.register\"}", canonical);
        Assert.DoesNotContain("Hla", canonical); // the details stay in the portal

        await setup.SignAndRegister.ClickAsync();
        await Expect(setup.RegisteredMpi).ToHaveTextAsync(mpi);
        var height = long.Parse(await setup.RegisteredHeight.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        Assert.Equal(height, ledger.State.Patient(mpi)!.RegisteredHeight);

        // The MPI card, with a QR code of the number.
        await setup.OpenCard.ClickAsync();
        var card = new MpiCardPage(Page);
        await Expect(card.Mpi).ToHaveTextAsync(mpi);
        await Expect(card.Name).ToHaveTextAsync("Hla Hla Win");
        await Expect(card.Qr).ToHaveAttributeAsync("src", new Regex("^data:image/png;base64,"));
        await Expect(card.Qr).ToHaveAttributeAsync("data-payload", "HPMPI:" + mpi);
        Assert.True(await card.Qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"));

        // After a reload the key is still in IndexedDB, marked as this device, and still signs.
        var devices = new DevicesPage(Page);
        await devices.GotoAsync();
        await Page.ReloadAsync();
        await devices.WaitForInteractiveAsync();
        var firstKid = await devices.ThisDeviceRow.GetAttributeAsync("data-kid");
        Assert.Equal(ledger.State.KeysOf(mpi).Single().Kid, firstKid);
        await devices.CheckKey.ClickAsync();
        await Expect(devices.CheckResult).ToContainTextAsync("verified it against your active key");

        // A second browser (its own context: no key) signed in as the same patient links itself by the one-time code.
        await devices.OpenLink.ClickAsync();
        await Expect(devices.LinkQr).ToBeVisibleAsync();
        var code = (await devices.LinkCode.InnerTextAsync()).Trim();
        Assert.Matches("^[0-9]{6}$", code);

        var second = await NewPageAsync(new PortalRole("new patient", email, Password));
        var secondDevices = new DevicesPage(second);
        await secondDevices.GotoAsync();
        await Expect(secondDevices.ThisDeviceStatus).ToContainTextAsync("no key");
        await secondDevices.GoLink.ClickAsync();
        var link = new LinkDevicePage(second);
        await second.WaitForPathAsync("/patient/link");
        await link.WaitForInteractiveAsync();
        await link.Code.FillAsync(code);
        await link.Join.ClickAsync();
        await Expect(link.Waiting).ToBeVisibleAsync();
        var secondKid = await link.MyFingerprint.GetAttributeAsync("data-kid");

        // The first browser sees the same fingerprint and co-signs; both pages follow the block.
        await Expect(devices.NewKeyFingerprint).ToHaveAttributeAsync("data-kid", secondKid!);
        await devices.Approve.ClickAsync();
        await Expect(link.Done).ToBeVisibleAsync();
        await Expect(devices.LinkStage).ToContainTextAsync("is linked");
        await Expect(devices.Rows).ToHaveCountAsync(2);
        Assert.Equal([firstKid, secondKid], ledger.State.KeysOf(mpi).Where(k => k.IsActive).Select(k => k.Kid));

        await secondDevices.GotoAsync();
        await Expect(secondDevices.ThisDeviceRow).ToHaveAttributeAsync("data-kid", secondKid!);
    }

    [Fact]
    public async Task Recovery_FacilityVerifiesInPersonAdminCoSigns_NewBrowserTakesOverAndTheOldKeyIsRevoked()
    {
        var demo = DemoData.Patients[1];
        var patient = new PortalRole("demo patient", demo.Email, DemoPassword);
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;

        // A browser that had the patient's key (linked with the demo enrolment device)...
        var old = await NewPageAsync(patient);
        var oldDevices = new DevicesPage(old);
        await oldDevices.LinkWithDemoDeviceAsync();
        var oldKid = await oldDevices.ThisDeviceRow.GetAttributeAsync("data-kid");

        // ...is lost. A new browser asks for recovery and shows a code.
        var fresh = await NewPageAsync(patient);
        var recovery = new RecoverKeysPage(fresh);
        await recovery.GotoAsync();
        await recovery.Start.ClickAsync();
        await Expect(recovery.Qr).ToBeVisibleAsync();
        var code = (await recovery.Code.InnerTextAsync()).Trim();
        var mpi = (await recovery.Mpi.InnerTextAsync()).Trim();

        // A manager finds the patient (a typo in the number is caught as typed), checks them in person, enters the code.
        var manager = new FacilityRecoveryPage(await NewPageAsync(new PortalRole("manager", DemoData.AccountFor(HealthPortal.Features.Auth.Roles.FacilityManager, "demo-riverside").Email, DemoPassword)));
        await manager.GotoAsync();
        await manager.Mpi.FillAsync(mpi[..^1] + (char)('0' + (mpi[^1] - '0' + 1) % 10));
        await Expect(manager.MpiError).ToBeVisibleAsync();
        await manager.Mpi.FillAsync(mpi);
        await manager.Find.ClickAsync();
        await Expect(manager.Name).ToHaveTextAsync(demo.FullName);
        await manager.ConfirmedInPerson.CheckAsync();
        await manager.Code.FillAsync(code);
        await manager.Sign.ClickAsync();
        await Expect(manager.Signed).ToBeVisibleAsync();
        await Expect(recovery.Status).ToContainTextAsync("consortium administrator");
        Assert.True(ledger.State.Key(oldKid!)!.IsActive); // the facility alone changes nothing

        // The admin co-signs: the new browser's key is active, the old one revoked, and both pages say so.
        var admin = new RecoveriesPage(await NewPageAsync(new PortalRole("admin", DemoData.AccountFor(HealthPortal.Features.Auth.Roles.Admin).Email, DemoPassword)));
        await admin.GotoAsync();
        await admin.CoSign.ClickAsync();
        // The plain-words step: what co-signing does to the patient's keys, and when to do it; nothing changes before yes.
        var confirm = admin.Page.Locator(".mud-dialog");
        await Expect(confirm).ToContainTextAsync("Co-sign this recovery?");
        await Expect(confirm).ToContainTextAsync($"The patient with MPI number {mpi} gets back into their account");
        await Expect(confirm).ToContainTextAsync("working at once (a lost or stolen device can sign nothing more)");
        await Expect(confirm).ToContainTextAsync("checked the person's identity document in person");
        Assert.True(ledger.State.Key(oldKid!)!.IsActive);
        await admin.ConfirmCoSign.ClickAsync();
        await Expect(admin.Message).ToContainTextAsync("Recovery submitted");
        await Expect(recovery.Completed).ToBeVisibleAsync();
        await Expect(oldDevices.ThisDeviceStatus).ToContainTextAsync("revoked");
        Assert.False(ledger.State.Key(oldKid!)!.IsActive);
        Assert.Single(ledger.State.KeysOf(mpi), k => k.IsActive);
    }

    [Fact]
    public async Task Patient_CannotOpenAnAdminPage()
    {
        var patient = await LoginAsAsync(new PortalRole("patient", DemoData.Patients[0].Email, DemoPassword));

        var response = await patient.GotoAsync("admin/recoveries");

        Assert.Equal(200, response!.Status); // the access-denied page, not the admin page
        Assert.Contains("/Account/AccessDenied", patient.Url);
        await Expect(patient.GetByText("Key recoveries")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Browser_CanonicalisesTheRfc8785VectorsLikeTheServer()
    {
        await Page.GotoAsync("");
        var folder = VectorFolder();
        var checkedCount = 0;
        foreach (var inputFile in Directory.GetFiles(Path.Combine(folder, "input"), "*.json").Order())
        {
            var input = await File.ReadAllTextAsync(inputFile);
            // The ledger's canonical form allows no floating-point numbers; vectors with them are the server's to refuse.
            if (!HealthPortal.Ledger.Canonical.Jcs.Canonicalize(input).IsSuccess) continue;
            var expected = await File.ReadAllTextAsync(Path.Combine(folder, "output", Path.GetFileName(inputFile)));

            var actual = await Page.EvaluateAsync<string>("async text => (await import('/js/jcs.js')).canonicalize(JSON.parse(text))", input);

            Assert.Equal(expected, actual);
            checkedCount++;
        }
        Assert.True(checkedCount >= 3, $"only {checkedCount} vectors were checked");
    }

    private static string VectorFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HealthPortal.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata", "jcs"));
        throw new DirectoryNotFoundException("HealthPortal.sln not found above " + AppContext.BaseDirectory);
    }
}
