using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Auth;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ingest;
using HealthPortal.Features.Ledger;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.E2E.Anchoring;

/// <summary>
/// Records that arrive the way they really do (issue 17): the laboratory's system posts a Bundle of results to its node
/// (<c>POST /fhir/r4</c> over HTTP, as the facility's API client made by its manager); the patient sees them waiting on
/// their home page, confirms them all at once in Chromium with their browser key, and finds them on their timeline
/// verified against the laboratory's store.
/// </summary>
public sealed class IngestJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Northgate = "demo-northgate";

    /// <summary>What the manager does on the Facility systems page: a new API client and its token, shown once.</summary>
    private async Task<string> ApiTokenAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var manager = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(DemoData.AccountFor(Roles.FacilityManager, Northgate).Email);
        ClaimsPrincipal principal = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(manager!);
        // A manager's session is a two-factor one, as the sign-in makes it.
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
        var made = await services.GetRequiredService<FacilityApiClients>().CreateAsync(principal, Northgate, "Northgate LIS (E2E)");
        Assert.True(made.IsOk, made.Message);
        return made.Value!.Token;
    }

    private async Task<(string Mpi, string NodeId)> MpiAndNodeAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var mpi = await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
        var node = await db.Facilities.Where(f => f.Id == Northgate).Select(f => f.NodeKeyId!).SingleAsync();
        return (mpi, node);
    }

    private static JsonObject Result(string mpi, string loinc, decimal value, string unit, string collected) => new()
    {
        ["fullUrl"] = "urn:uuid:" + Guid.NewGuid(),
        ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Observation" },
        ["resource"] = new JsonObject
        {
            ["resourceType"] = "Observation",
            ["status"] = "final",
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = EhrFhir.LoincSystem, ["code"] = loinc }) },
            ["subject"] = new JsonObject { ["identifier"] = new JsonObject { ["system"] = EhrFhir.MpiSystem, ["value"] = mpi } },
            ["effectiveDateTime"] = collected,
            ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = unit, ["system"] = EhrFhir.Ucum, ["code"] = unit },
        },
    };

    [Fact]
    public async Task ALabSystemPostsResults_ThePatientConfirmsThemAllAtOnce_AndTheyAreVerifiedOnTheTimeline()
    {
        var demo = DemoData.Patients[0];
        var (mpi, node) = await MpiAndNodeAsync(demo);
        var token = await ApiTokenAsync();

        // The laboratory's system posts three results over HTTP, as a script on its side would.
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "batch",
            ["identifier"] = new JsonObject { ["system"] = "urn:northgate:lis:run", ["value"] = Guid.NewGuid().ToString() },
            ["entry"] = new JsonArray(
                Result(mpi, "2345-7", 104, "mg/dL", "2026-11-30T08:15:00Z"),
                Result(mpi, "718-7", 13.9m, "g/dL", "2026-11-30T08:15:00Z"),
                Result(mpi, "2160-0", 0.9m, "mg/dL", "2026-11-30T08:15:00Z")),
        };
        using var http = new HttpClient { BaseAddress = Host.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "fhir/r4") { Content = new StringContent(bundle.ToJsonString(), Encoding.UTF8, "application/fhir+json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = answer["entry"]!.AsArray();
        Assert.All(entries, e => Assert.Equal("201 Created", e!["response"]!["status"]!.GetValue<string>()));
        var recordIds = entries.Select(e => e!["response"]!["location"]!.GetValue<string>().Split('/')[1]).ToList();

        // The patient's browser gets its key (demo mode: the demo enrolment), then sees what waits, per facility.
        var phone = await NewPageAsync(new PortalRole("patient " + demo.FullName, demo.Email, DemoPassword));
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();
        var home = new PatientDashboardPage(phone);
        await home.GotoAsync();
        await Expect(phone.GetByTestId("waiting-summary")).ToHaveTextAsync("3 records from Northgate Diagnostics Laboratory waiting");
        await Expect(home.WaitingItems).ToHaveCountAsync(1);

        // One confirmation holds all three: read, then one click signs each anchor and submits them together.
        var confirmationId = await home.WaitingItems.First.GetAttributeAsync("data-confirmation-id");
        await home.WaitingItems.First.ClickAsync();
        await phone.WaitForURLAsync("**/patient/confirm/" + confirmationId);
        var confirm = new ConfirmRecordsPage(phone, confirmationId!);
        await confirm.WaitForInteractiveAsync();
        await Expect(confirm.Facility).ToHaveTextAsync("Northgate Diagnostics Laboratory");
        await Expect(confirm.Summaries).ToHaveCountAsync(3);
        await confirm.ReadEverythingAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();

        // On the ledger with both signatures, and on the timeline verified against the laboratory's store.
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        var txIds = recordIds.Select(id => ledger.Store.FindRecord(node, id)!.TxId).ToList();
        Assert.All(txIds, tx => Assert.Equal(2, ledger.GetReceipt(tx)!.Transaction.Signatures.Count));
        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        foreach (var tx in txIds)
        {
            await Expect(timeline.Row(tx)).ToHaveAttributeAsync("data-integrity", "Verified");
            await Expect(timeline.Row(tx).GetByTestId("integrity-chip")).ToContainTextAsync("Verified");
        }
        await home.GotoAsync();
        await Expect(home.WaitingCount).ToHaveTextAsync("0");
    }
}
