using System.Security.Claims;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Interop;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>The staff panel over the real interop path of the test portal (in-process client, real ledger).</summary>
[Collection(InteropCollection.Name)]
public sealed class SharedRecordsPanelTests(InteropWorld world) : PortalComponentTest
{
    private ApplicationUser staff = null!;

    protected override Task ConfigureAsync()
    {
        Services.AddSingleton(world.Get<InteropClient>());
        Services.AddSingleton(world.Get<BreakGlassSessions>());
        Services.AddSingleton(world.Get<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(world.Get<HealthPortal.Features.Ledger.LedgerHost>());
        return Task.CompletedTask;
    }

    private async Task SignInAsync(bool canBreakGlass)
    {
        staff = await world.StaffAsync(InteropWorld.Caller, canBreakGlass);
        Auth.SetAuthorized(staff.Email!);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, staff.Id));
    }

    [Fact]
    public async Task NoGrant_SaysSoAndOffersNoEmergencyAccessWithoutThePermission()
    {
        await SignInAsync(canBreakGlass: false);
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);
        await world.RecordAsync(InteropWorld.Caller, patient); // its own record must not hide that there is no grant

        var panel = Render<SharedRecordsPanel>(p => p.Add(x => x.Mpi, patient.Mpi));

        panel.WaitForElement("[data-testid=shared-no-grant]");
        Assert.Contains("grant", panel.Find("[data-testid=shared-no-grant]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=emergency-open]"));
    }

    [Fact]
    public async Task Grant_ListsVerifiedRecord_AndARevokeRefusesTheNextView()
    {
        await SignInAsync(canBreakGlass: false);
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);
        var grant = await world.GrantAsync(patient, world.NodeId(InteropWorld.Caller), [InteropWorld.Kind], world.Now - 1000, world.Now + 3_600_000);

        var panel = Render<SharedRecordsPanel>(p => p.Add(x => x.Mpi, patient.Mpi));
        panel.WaitForElement("[data-testid=shared-records]");
        Assert.Equal("Verified", panel.Find("[data-testid=integrity-chip]").TextContent.Trim());

        panel.Find("[data-testid=shared-record-view]").Click();
        panel.WaitForElement("[data-testid=shared-record-detail]");

        await world.RevokeGrantAsync(patient, grant);
        panel.Find("[data-testid=shared-record-view]").Click();
        panel.WaitForElement("[data-testid=shared-record-denied]");
        Assert.Empty(panel.FindAll("[data-testid=shared-record-detail]"));
        // Nor does the stale list keep the refused record's kind, facility and date on screen.
        Assert.Empty(panel.FindAll("[data-testid=shared-records]"));
        panel.Find("[data-testid=shared-no-grant]");
    }

    [Fact]
    public async Task GrantCommittedWhileOpen_OffersToListAgainWithoutReadingByItself()
    {
        await SignInAsync(canBreakGlass: false);
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);
        var panel = Render<SharedRecordsPanel>(p => p.Add(x => x.Mpi, patient.Mpi));
        panel.WaitForElement("[data-testid=shared-no-grant]");

        await world.GrantAsync(patient, world.NodeId(InteropWorld.Caller), [InteropWorld.Kind], world.Now - 1000, world.Now + 3_600_000);

        // The grant's block is announced, but nothing is read (and logged on the ledger) until staff ask.
        panel.WaitForElement("[data-testid=shared-access-changed]");
        Assert.Empty(panel.FindAll("[data-testid=shared-records]"));
        // Banners never contradict: "no access" is stale once the patient changed it, so it is not shown beside the news.
        Assert.Empty(panel.FindAll("[data-testid=shared-no-grant]"));
        panel.Find("[data-testid=shared-reload]").Click();
        panel.WaitForElement("[data-testid=shared-records]");
        Assert.Equal("Verified", panel.Find("[data-testid=integrity-chip]").TextContent.Trim());
        Assert.Empty(panel.FindAll("[data-testid=shared-access-changed]"));
    }

    [Fact]
    public async Task SameParametersAgain_NeitherReadsAgainNorClosesTheRecord()
    {
        await SignInAsync(canBreakGlass: false);
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);
        await world.GrantAsync(patient, world.NodeId(InteropWorld.Caller), [InteropWorld.Kind], world.Now - 1000, world.Now + 3_600_000);
        var panel = Render<SharedRecordsPanel>(p => p.Add(x => x.Mpi, patient.Mpi));
        panel.WaitForElement("[data-testid=shared-records]");
        panel.Find("[data-testid=shared-record-view]").Click();
        panel.WaitForElement("[data-testid=shared-record-detail]");
        var accesses = world.AccessesOf(patient.Mpi).Count;

        // What the staff patient page does to the panel when it re-renders for an anchor of this patient.
        panel.Render(p => p.Add(x => x.Mpi, patient.Mpi));

        panel.Find("[data-testid=shared-record-detail]");
        Assert.Equal(accesses, world.AccessesOf(patient.Mpi).Count);
    }

    [Fact]
    public async Task EmergencyAccess_NeedsAReason_ThenShowsTheExpiryAndTheRecords()
    {
        await SignInAsync(canBreakGlass: true);
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);

        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var panel = Render<SharedRecordsPanel>(p => p.Add(x => x.Mpi, patient.Mpi));
        panel.WaitForElement("[data-testid=shared-no-grant]");
        panel.Find("[data-testid=emergency-open]").Click();
        panel.Find("[data-testid=emergency-confirm]").Click();
        panel.WaitForAssertion(() => Assert.Contains("Choose why", panel.Find("[data-testid=emergency-reason-code-error]").TextContent));

        panel.Find("[data-testid=emergency-reason-code-unconscious]").Click();
        panel.Find("[data-testid=emergency-confirm]").Click();
        panel.WaitForAssertion(() => Assert.Contains("at least", panel.Find("[data-testid=emergency-dialog]").TextContent));

        panel.Find("#emergency-reason").Input("Unconscious patient, allergies unknown, ER bay 2");
        panel.Find("[data-testid=emergency-confirm]").Click();
        // A complete form asks once more, in plain words, before anything is opened.
        dialogs.WaitForAssertion(() => Assert.Contains("without their permission", dialogs.Markup));
        Assert.Empty(world.AccessesOf(patient.Mpi));
        dialogs.FindAll("button").Single(b => b.TextContent.Contains("Yes, open it")).Click();

        panel.WaitForElement("[data-testid=emergency-session-expiry]");
        // On the facility's clock (the default zone, Asia/Yangon), day first.
        var expected = HealthPortal.Features.Times.UserTime.Default.Format(DateTimeOffset.FromUnixTimeMilliseconds(world.Now).AddMinutes(60));
        Assert.Contains(expected, panel.Find("[data-testid=emergency-session-expiry]").TextContent);
        panel.WaitForElement("[data-testid=shared-records]");
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task EndEmergencyAccess_ClosesTheSessionAtOnce_ReadsNothingMore_AndSaysSo()
    {
        await SignInAsync(canBreakGlass: true);
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var panel = Render<SharedRecordsPanel>(p => p.Add(x => x.Mpi, patient.Mpi));
        panel.WaitForElement("[data-testid=shared-no-grant]");
        panel.Find("[data-testid=emergency-open]").Click();
        panel.Find("[data-testid=emergency-reason-code-unconscious]").Click();
        panel.Find("#emergency-reason").Input("Unconscious patient, allergies unknown, ER bay 2");
        panel.Find("[data-testid=emergency-confirm]").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll("button").Single(b => b.TextContent.Contains("Yes, open it")).Click());
        panel.WaitForElement("[data-testid=shared-records]");
        var reads = world.AccessesOf(patient.Mpi).Count;

        panel.Find("[data-testid=emergency-end]").Click();

        panel.WaitForElement("[data-testid=emergency-ended]");
        Assert.Empty(panel.FindAll("[data-testid=emergency-session]"));
        Assert.Empty(panel.FindAll("[data-testid=shared-records]"));
        Assert.Null(await world.Get<BreakGlassSessions>().ActiveForUserAsync(staff.Id, patient.Mpi));
        Assert.Equal(reads, world.AccessesOf(patient.Mpi).Count);
        // Listing again afterwards reads only what a grant allows: there is none, and nothing is read under the ended session.
        panel.Find("[data-testid=shared-reload-after-emergency]").Click();
        panel.WaitForElement("[data-testid=shared-no-grant]");
        Assert.Equal(reads, world.AccessesOf(patient.Mpi).Count);
    }
}
