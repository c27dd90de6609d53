using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Records;
using HealthPortal.Features.Retractions;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The staff's retraction panel (<see cref="RetractionPanel"/>) under Burmese over the test portal, through every step:
/// the list, the form's refusals, the confirmation in plain words, the retraction, and the re-filing form's refusal.
/// The facility's name is Burmese data; MPI numbers are data.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class RetractionsBurmeseTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private const string LakeviewName = "လိပ်ဗျူး မိသားစု ဆေးခန်း";

    protected override async Task ConfigureAsync()
    {
        // The service is scoped in the app; one scope of the test portal serves this test's renders and is disposed with it.
        Services.AddSingleton(_ => portal.Services.CreateScope());
        Services.AddScoped(s => s.GetRequiredService<IServiceScope>().ServiceProvider.GetRequiredService<RecordRetractions>());
        var staff = await portal.StaffOfAsync(Lakeview);
        Auth.SetAuthorized(staff.Identity!.Name!);
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetClaims([.. staff.Claims]);
    }

    [Fact]
    public async Task RetractionPanel_UnderBurmese_ShowsNoEnglishAtAnyStep()
    {
        var patient = await portal.RegisteredPatientAsync();
        var input = new VisitInput { SeenAt = DateTime.UtcNow.Date.AddHours(8), Clinician = "ဒေါက်တာ ကျော်", ChiefComplaint = "ချောင်းဆိုး", Findings = "ရင်ဘတ် ကြည်သည်။" };
        var saved = await portal.Services.GetRequiredService<ClinicRecords>().RecordVisitAsync(Lakeview, patient.Mpi!, input, "staff@test");
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. saved.Value!.Records]);
        Assert.True((await portal.ConfirmAsync(patient, prepared.Id)).Succeeded);
        var encounter = saved.Value.Records.Single(r => r.Kind == RecordKinds.Encounter).RecordId;

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var panel = Render<RetractionPanel>(p => p.Add(c => c.FacilityId, Lakeview).Add(c => c.Mpi, patient.Mpi!).Add(c => c.FacilityName, LakeviewName));
            panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll($"[data-record-id='{encounter}'] [data-testid='retract-start']")));
            var shown = BurmeseText.Of(panel).ToList();
            panel.Find($"[data-record-id='{encounter}'] [data-testid='retract-start']").Click();
            // Each step's controls appear after the click's async handler has rendered; under load that can be after
            // Click returns (CI once found no refile button), so the first control of each step is waited for, bounded.
            panel.WaitForElement("[data-testid='retract-continue']", TimeSpan.FromSeconds(10)).Click(); // neither reason nor words: both refused
            shown.AddRange(BurmeseText.Of(panel));
            panel.WaitForElement($"[data-testid='retract-reason-{RetractReasons.WrongPatient}']", TimeSpan.FromSeconds(10)).Click();
            panel.Find("textarea").Change("ကောင်တာတွင် လူနာ မှားပြီး သိမ်းမိခဲ့သည်။");
            panel.Find("[data-testid='retract-continue']").Click();
            panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("[data-testid='retract-confirm-text']")));
            shown.AddRange(BurmeseText.Of(panel));
            panel.Find("[data-testid='retract-confirm']").Click();
            panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll($"[data-record-id='{encounter}'] [data-testid='refile-start']")));
            shown.AddRange(BurmeseText.Of(panel));
            panel.Find($"[data-record-id='{encounter}'] [data-testid='refile-start']").Click();
            panel.WaitForElement("[data-testid='refile-confirm']", TimeSpan.FromSeconds(10)).Click(); // no MPI number: refused beside the field
            panel.WaitForAssertion(() => Assert.Contains("မှန်ကန်သည့် လူနာ၏ MPI နံပါတ်ကို ရိုက်ထည့်ပါ", panel.Markup, StringComparison.Ordinal));
            shown.AddRange(BurmeseText.Of(panel));
            return shown;
        });

        BurmeseText.AssertBurmeseBeyond(texts, [patient.Mpi], "the Burmese retraction panel");
        Assert.Contains(texts, t => t.Contains("ပြန်ရုပ်သိမ်းပြီးပါပြီ။", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("မှတ်တမ်းကို ပြန်ရုပ်သိမ်းရသည့် အကြောင်းရင်းကို ရွေးပါ။", StringComparison.Ordinal));
    }
}
