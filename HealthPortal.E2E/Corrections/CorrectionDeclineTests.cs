using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Corrections;

/// <summary>
/// The other answer to a correction request (issue 16): a patient asks Lakeview to correct one of its records from the
/// record's page, Lakeview's staff decline with a reason, and the patient reads that reason on the same page. The
/// record itself is untouched: still the one current version, still verified.
/// </summary>
public sealed class CorrectionDeclineTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";
    private const string LakeviewName = "Lakeview Family Clinic";

    [Fact]
    public async Task PatientAsksForCorrection_StaffDeclineWithReason_PatientReadsTheReason()
    {
        var demo = DemoData.Patients[0]; // Aye Aye Myint, with a seeded visit at Lakeview
        var words = "My weight was 52 kg, not 62 kg " + Guid.NewGuid().ToString("N")[..6];
        const string reason = "The scale reading was checked twice at the visit; 62 kg is what it showed.";

        // The patient opens one of Lakeview's records from the timeline and asks for a correction.
        var phone = await NewPageAsync(new PortalRole("patient", demo.Email, DemoPassword));
        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        var row = timeline.Rows.Filter(new() { HasText = LakeviewName }).First;
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var txId = (await row.GetAttributeAsync("data-txid"))!;
        await timeline.OpenAsync(txId);
        await phone.WaitForInteractiveAsync();
        await phone.GetByTestId("ask-correction-open").ClickAsync();
        await phone.Locator("textarea[data-testid='ask-correction-words'], [data-testid='ask-correction-words'] textarea").FillAsync(words);
        await phone.GetByTestId("ask-correction-send").ClickAsync();
        var asked = phone.GetByTestId("correction-request").Filter(new() { HasText = words });
        await Expect(asked).ToHaveAttributeAsync("data-status", "Open");

        // Lakeview's staff find the request on the patient's page and decline it, saying why.
        var desk = new FacilityPatientPage(await NewPageAsync(new PortalRole("lakeview staff",
            DemoData.AccountFor(Roles.FacilityStaff, Lakeview).Email, DemoPassword)), await MpiOfAsync(demo));
        await desk.GotoAsync();
        var request = desk.Page.GetByTestId("correction-request-row").Filter(new() { HasText = words });
        await Expect(request).ToHaveAttributeAsync("data-status", "Open");
        await request.GetByTestId("request-decline").ClickAsync();
        // An empty reason is refused with a sentence, and nothing is lost or sent.
        await request.GetByTestId("decline-send").ClickAsync();
        await Expect(request).ToHaveAttributeAsync("data-status", "Open");
        await request.Locator("textarea[data-testid='decline-reason'], [data-testid='decline-reason'] textarea").FillAsync(reason);
        await request.GetByTestId("decline-send").ClickAsync();
        await Expect(request).ToHaveAttributeAsync("data-status", "Declined");
        await Expect(request.GetByTestId("correction-request-answer")).ToContainTextAsync(reason);

        // The patient reads the answer where they asked, and the record stays as it was.
        var detail = new RecordDetailPage(phone, txId);
        await detail.GotoAsync();
        var answered = phone.GetByTestId("correction-request").Filter(new() { HasText = words });
        await Expect(answered).ToHaveAttributeAsync("data-status", "Declined");
        await Expect(answered.GetByTestId("correction-declined")).ToHaveTextAsync($"{LakeviewName} declined: {reason}");
        await Expect(detail.Integrity).ToHaveTextAsync("Verified");
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }
}
