using System.Security.Claims;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>The staff page's "Waiting for the patient" list: kept in the database, so a reload loses nothing; show again, remind, withdraw.</summary>
[Collection(PortalCollection.Name)]
public sealed class WaitingForPatientTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";

    protected override async Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<AnchorEvents>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<AnchorWorkflow>();
        var staff = await portal.StaffOfAsync(Lakeview);
        Auth.SetAuthorized(staff.Identity!.Name ?? "staff");
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims([.. staff.Claims.Where(c => c.Type == ClaimTypes.NameIdentifier)]);
    }

    [Fact]
    public async Task ListsOnlyWhatWaits_ShowsTheCodeAgain_AndWithdrawsAfterAPlainWordsConfirmation()
    {
        var patient = await portal.RegisteredPatientAsync();
        var waiting = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var confirmed = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        await portal.ConfirmAsync(patient, confirmed.Id);
        string? shown = null;
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var list = Render<WaitingForPatient>(p => p
            .Add(c => c.Confirmations, [waiting, confirmed with { Status = AnchorStatus.Anchored }])
            .Add(c => c.ShownIdChanged, id => shown = id));

        var item = Assert.Single(list.FindAll("[data-testid='waiting-for-patient-item']"));
        Assert.Equal(waiting.Id, item.GetAttribute("data-confirmation-id"));
        list.Find("[data-testid='waiting-show-code']").Click();
        Assert.Equal(waiting.Id, shown);

        list.Find("[data-testid='waiting-withdraw']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("can never go on the ledger", dialogs.Markup));
        Assert.Equal(AnchorStatus.Pending, (await portal.Workflow(w => w.ForPatientAsync(patient.Principal, waiting.Id)))!.Status);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Withdraw").Click();

        // WaitForAssertion retries a synchronous check; the workflow is asked for the stored status each time.
        list.WaitForAssertion(() => Assert.Equal(AnchorStatus.Withdrawn,
            portal.Workflow(w => w.ForPatientAsync(patient.Principal, waiting.Id)).GetAwaiter().GetResult()!.Status), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Remind_SaysWhatHappened_AndRefusesASecondAtOnce()
    {
        var patient = await portal.RegisteredPatientAsync();
        var waiting = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var list = Render<WaitingForPatient>(p => p.Add(c => c.Confirmations, [waiting]));

        list.Find("[data-testid='waiting-remind']").Click();
        list.WaitForAssertion(() => Assert.Contains(list.Find("[data-testid='waiting-message']").GetAttribute("data-code"), new[] { nameof(AnchorError.None), nameof(AnchorError.NoAddress) }));
        list.Find("[data-testid='waiting-remind']").Click();

        list.WaitForAssertion(() => Assert.Equal(nameof(AnchorError.TooSoon), list.Find("[data-testid='waiting-message']").GetAttribute("data-code")));
    }
}
