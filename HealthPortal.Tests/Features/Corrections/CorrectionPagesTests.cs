using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Corrections;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Corrections;

/// <summary>
/// The correction screens over the test portal: the patient's record history, the review of a correction (what it
/// replaces and what changed), and the patient's request form.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class CorrectionPagesTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";

    protected override Task ConfigureAsync()
    {
        AddPageServices(Services, portal);
        return Task.CompletedTask;
    }

    /// <summary>The services the correction panels need, from the test portal (also used by CorrectionsBurmeseTests).</summary>
    internal static void AddPageServices(IServiceCollection Services, PortalFactory portal)
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<AnchorEvents>());
        Services.AddSingleton(app.GetRequiredService<EhrVersions>());
        Services.AddSingleton(app.GetRequiredService<IRecordFetcher>());
        Services.AddSingleton(app.GetRequiredService<RecordVerifier>());
        Services.AddSingleton(app.GetRequiredService<HealthPortal.Features.Keys.DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<HealthPortal.Features.Keys.RecoveryNotifier>());
        Services.AddSingleton(app.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthPortal.Features.DemoMode.DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<HealthPortal.Features.Keys.BrowserKeys>();
        Services.AddScoped<HealthPortal.Features.Keys.PatientKeys>();
        Services.AddScoped<AnchorWorkflow>();
        // A delegate with the cosign power may confirm too (issue 14): the workflow and the page ask ActingFor.
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        Services.AddScoped<ReplacedVersions>();
        Services.AddScoped<RecordCorrections>();
    }

    private void SignIn(TestPatient patient) => SignIn(Auth, patient);

    internal static void SignIn(BunitAuthorizationContext Auth, TestPatient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal, PortalPolicies.PatientOfMpi);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
    }

    /// <summary>An anchored visit with temperature 39.5 and its correction to 37.5, prepared (not yet co-signed).</summary>
    private Task<(IReadOnlyList<EhrRecord> Old, IReadOnlyList<EhrRecord> New, AnchorConfirmationView Correction)> CorrectedVisitAsync(TestPatient patient)
        => CorrectedVisitAsync(portal, patient, "Temperature typed wrongly");

    internal static async Task<(IReadOnlyList<EhrRecord> Old, IReadOnlyList<EhrRecord> New, AnchorConfirmationView Correction)> CorrectedVisitAsync(
        PortalFactory portal, TestPatient patient, string reason)
    {
        var clinic = portal.Services.GetRequiredService<ClinicRecords>();
        var input = new VisitInput { SeenAt = DateTime.UtcNow.Date.AddHours(8), Clinician = "Dr. Test", ChiefComplaint = "Fever", Findings = "Febrile.", TemperatureC = 39.5m };
        var old = (await clinic.RecordVisitAsync(Lakeview, patient.Mpi!, input, "staff@test")).Value!.Records;
        var first = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. old]);
        Assert.True((await portal.ConfirmAsync(patient, first.Id)).Succeeded);
        var source = (await clinic.CorrectionSourceAsync(Lakeview, patient.Mpi!, old[0].RecordId))!;
        source.Input.TemperatureC = 37.5m;
        var fresh = (await clinic.RecordVisitAsync(Lakeview, patient.Mpi!, source.Input, "staff@test")).Value!.Records;
        var staff = await portal.StaffOfAsync(Lakeview);
        var sent = await portal.WithScopeAsync(s => s.GetRequiredService<RecordCorrections>()
            .SendCorrectionAsync(staff, Lakeview, patient.Mpi!, new EhrCorrectionSaved(old[0].RecordId, fresh, source.Records, reason)));
        Assert.True(sent.IsOk, sent.Message);
        return (old, fresh, sent.Value!.Confirmation);
    }

    [Fact]
    public async Task ConfirmPage_OfACorrection_SaysWhatItReplacesWhyAndWhatChanged()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (old, fresh, correction) = await CorrectedVisitAsync(patient);
        SignIn(patient);
        JSInterop.SetupModule("./js/patient-keys.js");

        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, correction.Id));

        var encounter = fresh.Single(r => r.Kind == RecordKinds.Encounter).RecordId;
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll($"[data-record-id='{encounter}'] [data-testid='review-replaces']")));
        var replaces = page.Find($"[data-record-id='{encounter}'] [data-testid='review-replaces']");
        Assert.Equal(old.Single(r => r.Kind == RecordKinds.Encounter).RecordId, replaces.GetAttribute("data-replaces"));
        Assert.Contains("Temperature typed wrongly", page.Find($"[data-record-id='{encounter}'] [data-testid='review-correction-reason']").TextContent);
        var changes = page.FindAll($"[data-record-id='{encounter}'] [data-testid='review-change']");
        var temperature = Assert.Single(changes, c => c.QuerySelector("[data-testid='review-change-old']")!.TextContent == "39.5");
        Assert.Equal("37.5", temperature.QuerySelector("[data-testid='review-change-new']")!.TextContent);
    }

    [Fact]
    public async Task RecordHistory_OfCorrectedRecord_ListsBothVersionsWithReasonAndAnchor()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (old, fresh, correction) = await CorrectedVisitAsync(patient);
        Assert.True((await portal.ConfirmAsync(patient, correction.Id)).Succeeded);
        var reader = portal.Services.GetRequiredService<LedgerHost>().Reader;
        var current = reader.Record(correction.FacilityNodeId, fresh[0].RecordId)!;
        SignIn(patient);

        var history = Render<RecordHistory>(p => p.Add(c => c.Anchor, current));

        history.WaitForAssertion(() => Assert.Equal(2, history.FindAll("[data-testid='record-version']").Count));
        var versions = history.FindAll("[data-testid='record-version']");
        Assert.Equal(old[0].RecordId, versions[0].GetAttribute("data-record-id"));
        Assert.Equal("Anchored", versions[0].GetAttribute("data-status"));
        Assert.Equal("true", versions[1].GetAttribute("data-current"));
        Assert.Contains("Temperature typed wrongly", versions[1].QuerySelector("[data-testid='version-reason']")!.TextContent);
        Assert.Contains(current.TxId, versions[1].QuerySelector("[data-testid='version-anchor']")!.TextContent);
        Assert.Empty(history.FindAll("[data-testid='newer-version']"));
    }

    [Fact]
    public async Task AskForCorrection_SendsTheWordsToTheFacility_AndShowsTheRequestAsOpen()
    {
        var patient = await portal.RegisteredPatientAsync();
        var clinic = portal.Services.GetRequiredService<ClinicRecords>();
        var input = new VisitInput { SeenAt = DateTime.UtcNow.Date.AddHours(8), Clinician = "Dr. Test", ChiefComplaint = "Cough", Findings = "Clear chest." };
        var records = (await clinic.RecordVisitAsync(Lakeview, patient.Mpi!, input, "staff@test")).Value!.Records;
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. records]);
        Assert.True((await portal.ConfirmAsync(patient, prepared.Id)).Succeeded);
        var anchor = portal.Services.GetRequiredService<LedgerHost>().Reader.Record(prepared.FacilityNodeId, records[0].RecordId)!;
        SignIn(patient);

        var ask = Render<AskForCorrection>(p => p.Add(c => c.Anchor, anchor).Add(c => c.FacilityName, "Lakeview Family Clinic"));
        ask.Find("[data-testid='ask-correction-open']").Click();
        ask.Find("[data-testid='ask-correction-send']").Click();
        ask.WaitForAssertion(() => Assert.Contains("is required", ask.Find("[data-testid='ask-correction']").TextContent));
        ask.Find("textarea").Input("The cough started a week earlier.");
        ask.Find("[data-testid='ask-correction-send']").Click();

        ask.WaitForAssertion(() => Assert.Equal("Open", ask.Find("[data-testid='correction-request']").GetAttribute("data-status")));
        Assert.Contains("The cough started a week earlier.", ask.Find("[data-testid='correction-request']").TextContent);
        var stored = await portal.Services.GetRequiredService<EhrVersions>().RequestsAsync(Lakeview, patient.Mpi!);
        Assert.Equal("The cough started a week earlier.", Assert.Single(stored).Words);
    }
}
