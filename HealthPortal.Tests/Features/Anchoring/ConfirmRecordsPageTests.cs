using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Tests.Features.Patient.Records;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>The patient's confirm page over the test portal's database and ledger: it shows exactly what is signed.</summary>
[Collection(PortalCollection.Name)]
public sealed class ConfirmRecordsPageTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private const string KeysModule = "./js/patient-keys.js";

    protected override Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<RecoveryNotifier>());
        Services.AddSingleton(app.GetRequiredService<AnchorEvents>());
        Services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<BrowserKeys>();
        Services.AddScoped<PatientKeys>();
        Services.AddScoped<AnchorWorkflow>();
        // The workflow and the page let a delegate with the cosign power confirm (issue 14).
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        return Task.CompletedTask;
    }

    private void SignIn(TestPatient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
    }

    private void BrowserHolds(Jwk? key)
    {
        var module = JSInterop.SetupModule(KeysModule);
        if (key is not null) module.Setup<JsonObject>("publicKey", _ => true).SetResult(key.ToJson());
    }

    [Fact]
    public async Task ConfirmPage_ShowsFacilityKindDateSummaryAndTheCanonicalTextOfEveryRecord()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!, summary: "Clinic visit — fever, Dr Hnin");
        var diagnosis = AnchorKit.Encounter(Lakeview, patient.Mpi!, kind: RecordKinds.Diagnosis, summary: "J06.9 Upper respiratory infection");
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, visit, diagnosis);
        SignIn(patient);
        BrowserHolds(patient.Key!.Jwk);

        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='confirm-sign']")));
        Assert.Equal("Lakeview Family Clinic", page.Find("[data-testid='review-facility']").TextContent.Trim());
        var rows = page.FindAll("[data-testid='review-record']");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["Encounter", "Diagnosis"], page.FindAll("[data-testid='review-kind']").Select(e => e.TextContent.Trim()));
        Assert.All(page.FindAll("[data-testid='review-date']"), d => Assert.Equal("2026-11-24", d.TextContent.Trim()));
        Assert.Equal([visit.Summary, diagnosis.Summary], page.FindAll("[data-testid='review-summary']").Select(e => e.TextContent.Trim()));
        var canonical = page.FindAll("[data-testid='review-canonical']").Select(e => e.TextContent).ToList();
        var signed = (await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id)))!;
        for (var i = 0; i < signed.Count; i++)
        {
            var expected = System.Text.Encoding.UTF8.GetString(Jcs.CanonicalizeOrThrow(new JsonObject { ["body"] = signed[i].Body.DeepClone(), ["type"] = signed[i].Type }));
            Assert.Equal(expected, canonical[i]);
        }
        Assert.Contains(visit.Hash, canonical[0]);
        Assert.Contains(patient.Mpi!, canonical[0]);
    }

    [Fact]
    public async Task ConfirmPage_WithoutKeyInThisBrowser_ExplainsAndLinksToTheKeyPage()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        SignIn(patient);
        BrowserHolds(null);

        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));

        page.WaitForAssertion(() => Assert.Contains("holds no key", page.Find("[data-testid='confirm-no-key']").TextContent));
        Assert.Equal("patient/key", page.Find("[data-testid='confirm-go-key']").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid='confirm-sign']"));
    }

    [Fact]
    public async Task ConfirmPage_OfAnotherPatient_ShowsNothingOfIt()
    {
        var patient = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!, summary: "Secret visit"));
        SignIn(other);
        BrowserHolds(other.Key!.Jwk);

        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='confirm-not-found']")));
        Assert.DoesNotContain("Secret visit", page.Markup);
    }

    [Fact]
    public async Task ConfirmPage_Reject_NeedsAReasonAndShowsItAfterwards()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        SignIn(patient);
        BrowserHolds(patient.Key!.Jwk);
        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='confirm-reject-open']")));

        page.Find("[data-testid='confirm-reject-open']").Click();
        Assert.True(page.Find("[data-testid='confirm-reject']").HasAttribute("disabled"));
        page.Find("textarea[data-testid='reject-reason']").Input("I have never been to Lakeview");
        page.Find("[data-testid='confirm-reject']").Click();

        page.WaitForAssertion(() => Assert.Equal("I have never been to Lakeview", page.Find("[data-testid='confirm-rejected-reason']").TextContent.Trim()));
    }
}
