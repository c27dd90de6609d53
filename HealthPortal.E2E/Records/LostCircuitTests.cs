using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Records;

/// <summary>
/// The portal with a disconnected circuit's retention set by the test: 2 seconds lets a test lose the circuit on the
/// server (as a restart, a deploy or a long outage does) without waiting minutes; the product's 3 minutes lets a test
/// count on getting the same circuit back however slowly a loaded machine reconnects.
/// </summary>
public sealed class ShortCircuitRetentionHost : PortalHost
{
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Product = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The retention of the next disconnect. Blazor's circuit registry reads the options object on every disconnect,
    /// so changing it between the tests of one class (which xunit runs one after the other) takes effect at once.
    /// </summary>
    public TimeSpan Retention
    {
        get => Services.GetRequiredService<IOptions<CircuitOptions>>().Value.DisconnectedCircuitRetentionPeriod;
        set => Services.GetRequiredService<IOptions<CircuitOptions>>().Value.DisconnectedCircuitRetentionPeriod = value;
    }
}

/// <summary>
/// A staff member typing a record when the connection to the server breaks (issue 16: a lost circuit always shows the
/// reconnect banner and keeps the form's input). The circuit's WebSocket is cut from the test (Playwright's WebSocket
/// route, closed while the browser is offline so no retry gets through): the reconnect banner shows, and what was
/// typed is there afterwards, whether the same circuit comes back or the server no longer has it.
/// </summary>
public sealed class LostCircuitTests(ShortCircuitRetentionHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest<ShortCircuitRetentionHost>(host, chromium, output)
{
    private const string Riverside = "demo-riverside";
    private const string Note = "Febrile on arrival.\nStarted on IV fluids; reassess at 18:00.";

    [Fact]
    public async Task ConnectionCut_ShowsTheReconnectBanner_ThenTheSameCircuitKeepsWhatWasTyped_AndSavesIt()
    {
        // The product's retention: with 2 s, a CI machine running both suites once took longer than that to reconnect
        // (2026-12-07), the server had dropped the circuit, and the test saw the draft restored instead of the same
        // circuit it asserts on.
        Host.Retention = ShortCircuitRetentionHost.Product;
        var ward = "Ward R-" + Guid.NewGuid().ToString("N")[..6];
        var (desk, circuit) = await StaffPatientPageAsync(DemoData.Patients[0]);
        var form = desk.Admission;
        await form.Ward.FillAsync(ward);
        await form.Attending.FillAsync("Dr. Aung Min");
        await form.TypeStartDateAsync(DateTime.UtcNow.Date);
        await form.Icd10(0).FillAsync("J18.9");
        await form.Description(0).FillAsync("Community-acquired pneumonia");
        await form.Note.FillAsync(Note);
        await form.Note.PressAsync("Tab");

        await CutAsync(desk.Page, circuit);
        await Expect(ReconnectBanner(desk.Page)).ToBeVisibleAsync();
        await Expect(ReconnectBanner(desk.Page)).ToContainTextAsync("Rejoining the server");
        await desk.Page.Context.SetOfflineAsync(false);

        // Back within the retention period: the same circuit, so nothing was reloaded and nothing had to be restored.
        await Expect(ReconnectBanner(desk.Page)).ToBeHiddenAsync(new() { Timeout = 60_000 });
        await Expect(form.Ward).ToHaveValueAsync(ward);
        await Expect(form.Note).ToHaveValueAsync(Note);
        await Expect(desk.Page.GetByTestId("ehr-form-draft-restored")).ToHaveCountAsync(0);
        // One round trip through the resumed circuit before saving: the banner hides as the socket comes back, and a
        // Save clicked in that moment was lost once in CI (2026-12-07). The field's counter is rendered by the server.
        await form.Attending.FillAsync("Dr. Aung Min Oo");
        await form.Attending.PressAsync("Tab");
        await Expect(desk.Page.GetByText("15 / 200", new() { Exact = true })).ToBeVisibleAsync();
        await form.Save.ClickAsync();
        await Expect(form.Saved).ToHaveTextAsync("Admission saved: 3 records written.");
    }

    [Fact]
    public async Task CircuitGoneOnTheServer_ShowsTheReconnectBanner_ThenTheFormComesBackWithWhatWasTyped()
    {
        Host.Retention = ShortCircuitRetentionHost.Short;
        var ward = "Ward G-" + Guid.NewGuid().ToString("N")[..6];
        var (desk, circuit) = await StaffPatientPageAsync(DemoData.Patients[1]);
        var form = desk.Admission;
        await form.Ward.FillAsync(ward);
        await form.Note.FillAsync(Note);
        await form.Note.PressAsync("Tab");

        await CutAsync(desk.Page, circuit);
        await Expect(ReconnectBanner(desk.Page)).ToBeVisibleAsync();
        // Offline past the retention period: the server drops the circuit, so the reconnect is refused.
        await Task.Delay(ShortCircuitRetentionHost.Short * 3);
        await desk.Page.Context.SetOfflineAsync(false);

        // The page starts a new circuit (resumed or reloaded) and the tab's draft puts the text back, saying so.
        await Expect(desk.Page.GetByTestId("ehr-form-draft-restored")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(ReconnectBanner(desk.Page)).ToBeHiddenAsync();
        await Expect(form.Ward).ToHaveValueAsync(ward);
        await Expect(form.Note).ToHaveValueAsync(Note);

        // The restored text is in the new circuit, not only on the screen: it is what gets saved.
        await form.Attending.FillAsync("Dr. Aung Min");
        await form.TypeStartDateAsync(DateTime.UtcNow.Date);
        await form.Icd10(0).FillAsync("J18.9");
        await form.Description(0).FillAsync("Community-acquired pneumonia");
        await form.Save.ClickAsync();
        await Expect(form.Saved).ToHaveTextAsync("Admission saved: 3 records written.");
    }

    private static ILocator ReconnectBanner(IPage page) => page.Locator("#components-reconnect-modal");

    /// <summary>Takes the browser offline (so no reconnect gets through) and closes the circuit's WebSocket.</summary>
    private async Task CutAsync(IPage page, CircuitSockets circuit)
    {
        // What a cut connection writes to the console is expected here (and only here).
        foreach (var expected in new[] { "WebSocket", "ERR_INTERNET_DISCONNECTED", "Connection disconnected", "Failed to fetch", "Failed to start the connection", "negotiat", "Failed to complete negotiation", "Connection closed", "reconnect", "Reconnect" })
            DiagnosticsOf(page).AllowError(expected);
        // MudBlazor logs this as an error when a circuit comes back and its popover service starts again; nothing fails.
        DiagnosticsOf(page).AllowError("Popover Service already initialized");
        await page.Context.SetOfflineAsync(true);
        await circuit.CloseAsync();
    }

    private async Task<(FacilityPatientPage Desk, CircuitSockets Circuit)> StaffPatientPageAsync(DemoData.Patient demo)
    {
        var staff = new PortalRole(Riverside + " staff", DemoData.AccountFor(Roles.FacilityStaff, Riverside).Email, DemoPassword);
        var page = await NewPageAsync(staff);
        var circuit = await CircuitSockets.RouteAsync(page);
        var desk = new FacilityPatientPage(page, await MpiOfAsync(demo));
        await desk.GotoAsync();
        await Expect(desk.EntryForm).ToBeVisibleAsync();
        // The draft module loads after the circuit's first render; typing before it tracks the form would keep nothing.
        await page.Locator("[data-draft][data-draft-tracked]").First.WaitForAsync(new() { Timeout = 30_000 });
        return (desk, circuit);
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    /// <summary>The page's circuit WebSockets, passed through to the server so the test can cut the current one.</summary>
    private sealed class CircuitSockets
    {
        private readonly object gate = new();
        private IWebSocketRoute? current;

        public static async Task<CircuitSockets> RouteAsync(IPage page)
        {
            var sockets = new CircuitSockets();
            await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/_blazor"), socket =>
            {
                socket.ConnectToServer();
                lock (sockets.gate) sockets.current = socket;
            });
            return sockets;
        }

        public async Task CloseAsync()
        {
            IWebSocketRoute socket;
            lock (gate) socket = current ?? throw new InvalidOperationException("The page has no circuit WebSocket yet.");
            await socket.CloseAsync(new() { Code = 4000, Reason = "cut by the test" });
        }
    }
}
