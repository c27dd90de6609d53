using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Grants;

/// <summary>
/// A patient whose browser holds a key (linked with the demo enrolment device) shares lab results with a clinic,
/// signing grant.issue in Chromium's WebCrypto, schedules a second grant, and revokes the first; the list shows each
/// state and the ledger agrees.
/// </summary>
public sealed class GrantTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";

    [Fact]
    public async Task Patient_GrantsAClinicAccess_SeesItActiveAndScheduled_ThenRevokesIt()
    {
        var demo = DemoData.Patients[0];
        var page = await LoginAsAsync(new PortalRole("demo patient", demo.Email, DemoPassword));
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        var active = Host.Services.GetRequiredService<ActiveGrants>();

        // Give this browser a key.
        var devices = new DevicesPage(page);
        await devices.LinkWithDemoDeviceAsync();

        // The Sharing link, then the form's own checks.
        await page.GetByTestId("nav-patient-grants").ClickAsync();
        await page.WaitForPathAsync("/patient/grants");
        var sharing = new SharingPage(page);
        await sharing.WaitForInteractiveAsync();
        await sharing.Review.ClickAsync();
        await Expect(sharing.Error("facility")).ToHaveTextAsync("Choose the facility to share with.");
        await Expect(sharing.Error("kinds")).ToHaveTextAsync("Choose at least one kind of record.");

        // Lab results to Lakeview for a referral, now → 30 days (the defaults); review exactly what is signed; sign.
        await sharing.Facility(Lakeview).CheckAsync();
        await sharing.Kind("lab-result").CheckAsync();
        await sharing.Purpose("referral").CheckAsync();
        await sharing.Review.ClickAsync();
        await Expect(sharing.Summary).ToContainTextAsync("Lakeview Family Clinic may see your lab results for referral");
        await sharing.ShowCanonicalJsonAsync();
        var canonical = await sharing.CanonicalJson.InnerTextAsync();
        Assert.StartsWith("{\"body\":{\"categories\":[\"lab-result\"],\"expiresAt\":", canonical);
        Assert.Contains("\"purpose\":\"referral\"", canonical);
        Assert.EndsWith(",\"type\":\"grant.issue\"}", canonical);
        Assert.DoesNotContain(demo.FullName, canonical);
        await sharing.Sign.ClickAsync();
        await Expect(sharing.Done).ToContainTextAsync("Lakeview Family Clinic can see your lab results");
        var height = long.Parse(await sharing.Height.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

        var row = sharing.RowsIn("active");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("grant-meaning")).ToHaveTextAsync("Because of this grant, Lakeview Family Clinic can see your lab results.");
        var grantId = (await row.GetAttributeAsync("data-grant-id"))!;
        var grant = ledger.State.Grant(grantId)!;
        Assert.Equal(height, grant.IssuedHeight);
        Assert.Equal(["lab-result"], grant.Categories);
        Assert.Equal(30L * 86_400_000, grant.ExpiresAt - grant.NotBefore);
        var lakeviewNode = ledger.State.Node(grant.Facility)!;
        Assert.Equal("Lakeview Family Clinic", lakeviewNode.Name);
        Assert.Single(active.For(grant.Facility, grant.Mpi));

        // A second grant that starts in two days is listed as scheduled.
        await sharing.ShareAnother.ClickAsync();
        await sharing.Facility(Northgate).CheckAsync();
        await sharing.Kind("all").CheckAsync();
        // Typed day first (dd/mm/yyyy) as the fields ask; the default time of day is kept.
        var start = DateTime.UtcNow.AddDays(2);
        await sharing.StartDate.FillAsync(start.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await sharing.StartDate.PressAsync("Tab");
        await sharing.EndDate.FillAsync(start.AddDays(7).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await sharing.EndDate.PressAsync("Tab");
        await sharing.Review.ClickAsync();
        await Expect(sharing.Summary).ToContainTextAsync("Northgate Diagnostics Laboratory may see your records of every kind");
        await sharing.Sign.ClickAsync();
        await Expect(sharing.Done).ToBeVisibleAsync();
        await Expect(sharing.RowsIn("scheduled")).ToHaveCountAsync(1);
        await Expect(sharing.RowsIn("scheduled").GetByTestId("grant-meaning")).ToContainTextAsync("will be able to see your records of every kind");

        // Revoke the first, after confirming; it moves to Revoked and stops counting at once.
        await sharing.Row(grantId).GetByTestId("grant-revoke").ClickAsync();
        await Expect(sharing.RevokeDialog).ToContainTextAsync("Lakeview Family Clinic will no longer see your lab results");
        await sharing.RevokeConfirm.ClickAsync();
        await Expect(sharing.Notice).ToContainTextAsync("Revoked: Lakeview Family Clinic can no longer see your records");
        await Expect(sharing.Row(grantId)).ToHaveAttributeAsync("data-status", "revoked");
        await Expect(sharing.Row(grantId).GetByTestId("grant-revoke")).ToHaveCountAsync(0);
        Assert.NotNull(ledger.State.Grant(grantId)!.RevokedHeight);
        Assert.Empty(active.For(grant.Facility, grant.Mpi));

        // After a reload the list reads the same from the ledger.
        await page.ReloadAsync();
        await sharing.WaitForInteractiveAsync();
        await Expect(sharing.RowsIn("revoked")).ToHaveCountAsync(1);
        await Expect(sharing.RowsIn("scheduled")).ToHaveCountAsync(1);
        await Expect(sharing.RowsIn("active")).ToHaveCountAsync(0);
    }
}
