using Bunit;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Ehr;

public sealed class RecordEntryFormTests(EhrTestNode node) : PortalComponentTest, IClassFixture<EhrTestNode>
{
    private readonly string _mpi = EhrTestNode.NewMpi();
    private readonly List<IReadOnlyList<EhrRecord>> _saved = [];

    protected override Task ConfigureAsync()
    {
        Services.AddSingleton(node.Stores);
        Services.AddSingleton(node.HospitalRecords);
        Services.AddSingleton(new HealthPortal.Features.Ehr.Codes.ClinicalCodes());
        Services.AddSingleton(node.ClinicRecords);
        Services.AddSingleton(node.LaboratoryRecords);
        Auth.SetAuthorized("su.su@riverside.test");
        return Task.CompletedTask;
    }

    private IRenderedComponent<RecordEntryForm> RenderForm(string facilityId, FacilityKind kind) => Render<RecordEntryForm>(p => p
        .Add(x => x.FacilityId, facilityId)
        .Add(x => x.Kind, kind)
        .Add(x => x.Mpi, _mpi)
        .Add(x => x.OnSaved, records => _saved.Add(records)));

    [Fact]
    public void HospitalForm_SavesTheAdmissionAndReportsItsRecords()
    {
        var form = RenderForm(EhrTestNode.Hospital, FacilityKind.Hospital);

        form.Find("input[data-testid='admission-ward']").Input("Ward 3");
        form.Find("input[data-testid='admission-attending']").Input("Dr. Okafor");
        form.Find("input[data-testid='admission-start-date']").Change("02/03/2026");
        form.Find("input[data-testid='diagnosis-0-icd10']").Change("J18.9");
        form.Find("input[data-testid='diagnosis-0-description']").Input("Pneumonia");
        form.Find("[data-testid='save-admission']").Click();

        form.WaitForAssertion(() => Assert.Single(_saved));
        Assert.Equal([RecordKinds.Encounter, RecordKinds.Diagnosis], _saved[0].Select(r => r.Kind));
        Assert.Equal(_mpi, _saved[0][0].Mpi);
    }

    [Fact]
    public void HospitalForm_StatesTheNoteMaximum_AndTheBrowserStopsTypingThere()
    {
        var form = RenderForm(EhrTestNode.Hospital, FacilityKind.Hospital);

        var note = form.Find("textarea[data-testid='admission-note']");
        Assert.Equal(TextLimits.ClinicalNote.ToString(System.Globalization.CultureInfo.InvariantCulture), note.GetAttribute("maxlength"));
        Assert.Contains("Up to 50,000 characters", form.Markup);
        Assert.Equal(TextLimits.Short.ToString(System.Globalization.CultureInfo.InvariantCulture), form.Find("input[data-testid='admission-ward']").GetAttribute("maxlength"));

        // The counter follows the text as it is typed.
        form.Find("input[data-testid='admission-ward']").Input("Ward 3");
        form.WaitForAssertion(() => Assert.Contains($"6 / {TextLimits.Short}", form.Markup));
    }

    [Fact]
    public void HospitalForm_WithABadIcd10Code_ShowsTheMessageBesideItAndSavesNothing()
    {
        var form = RenderForm(EhrTestNode.Hospital, FacilityKind.Hospital);

        form.Find("input[data-testid='admission-ward']").Input("Ward 3");
        form.Find("input[data-testid='admission-attending']").Input("Dr. Okafor");
        form.Find("input[data-testid='admission-start-date']").Change("02/03/2026");
        form.Find("input[data-testid='diagnosis-0-icd10']").Change("pneumonia");
        form.Find("input[data-testid='diagnosis-0-description']").Input("Pneumonia");
        form.Find("[data-testid='save-admission']").Click();

        form.WaitForAssertion(() => Assert.Contains("Not an ICD-10 code", form.Markup));
        Assert.Empty(_saved);
        Assert.NotNull(form.Find("[data-testid='ehr-form-problem']"));
    }

    [Fact]
    public void ClinicForm_SavesTheVisitAndItsNote()
    {
        var form = RenderForm(EhrTestNode.Clinic, FacilityKind.Clinic);

        form.Find("input[data-testid='visit-date']").Change("02/03/2026");
        form.Find("input[data-testid='visit-clinician']").Input("Dr. Hnin");
        form.Find("input[data-testid='visit-complaint']").Input("Cough");
        form.Find("textarea[data-testid='visit-findings']").Change("Clear chest.");
        form.Find("input[data-testid='vitals-pulse']").Change("72");
        form.Find("[data-testid='save-visit']").Click();

        form.WaitForAssertion(() => Assert.Single(_saved));
        Assert.Equal([RecordKinds.Encounter, RecordKinds.Note], _saved[0].Select(r => r.Kind));
    }

    [Fact]
    public void ClinicForm_AnImpossibleFollowUpDate_IsShownWithItsReason_AndNothingIsSavedWithoutIt()
    {
        var form = RenderForm(EhrTestNode.Clinic, FacilityKind.Clinic);

        form.Find("input[data-testid='visit-date']").Change("02/03/2026");
        form.Find("input[data-testid='visit-clinician']").Input("Dr. Hnin");
        form.Find("input[data-testid='visit-complaint']").Input("Cough");
        form.Find("textarea[data-testid='visit-findings']").Change("Clear chest.");
        form.Find("input[data-testid='visit-followup']").Change("31/04/2026");
        form.Find("[data-testid='save-visit']").Click();

        // The follow-up is not silently dropped: the form says which date and why, keeps the text and saves nothing.
        form.WaitForAssertion(() => Assert.Contains("Follow-up date (optional): \"31/04/2026\" is not a date: April 2026 has 30 days.",
            form.Find("[data-testid='ehr-form-problem']").TextContent));
        Assert.Equal("31/04/2026", form.Find("input[data-testid='visit-followup']").GetAttribute("value"));
        Assert.Empty(_saved);

        form.Find("input[data-testid='visit-followup']").Change("30/04/2026");
        form.Find("[data-testid='save-visit']").Click();

        form.WaitForAssertion(() => Assert.True(_saved.Count == 1,
            string.Join(" / ", form.FindAll("[data-testid='ehr-form-problem'], .mud-input-helper-text").Select(e => e.TextContent))));
        var note = (Hl7.Fhir.Model.DocumentReference)_saved[0].Single(r => r.Kind == RecordKinds.Note).Fhir;
        Assert.Contains("Follow-up: 2026-04-30", System.Text.Encoding.UTF8.GetString(note.Content[0].Attachment.Data!));
    }

    [Fact]
    public void LaboratoryForm_OrdersThenReportsWithTheFlagShownAsTyped()
    {
        var form = RenderForm(EhrTestNode.Laboratory, FacilityKind.Laboratory);

        form.Find("input[data-testid='order-clinician']").Input("Dr. Kyaw");
        form.Find("input[data-testid='order-collected-date']").Change("02/03/2026");
        form.Find("input[data-testid='order-test-2345-7']").Change(true);
        form.Find("[data-testid='save-order']").Click();

        form.WaitForAssertion(() => Assert.Equal("mg/dL", form.Find("[data-testid='result-2345-7-unit']").TextContent.Trim()));
        form.Find("input[data-testid='result-2345-7']").Input("182");
        form.WaitForAssertion(() => Assert.Equal("H", form.Find("[data-testid='result-2345-7-flag']").TextContent.Trim()));
        form.Find("[data-testid='save-results']").Click();

        form.WaitForAssertion(() => Assert.Single(_saved));
        Assert.Equal(RecordKinds.LabResult, Assert.Single(_saved[0]).Kind);
        Assert.Empty(form.FindAll("[data-testid='save-results']"));
    }

    [Fact]
    public void HospitalForm_DiagnosisPicker_FillsCodeAndTitle_MedicinePicker_SuggestsWhileTyping_AndTheyAreSaved()
    {
        // The suggestions open in MudBlazor's popover layer, rendered by its provider outside the form.
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        var form = RenderForm(EhrTestNode.Hospital, FacilityKind.Hospital);

        form.Find("input[data-testid='admission-ward']").Input("Ward 3");
        form.Find("input[data-testid='admission-attending']").Input("Dr. Okafor");
        form.Find("input[data-testid='admission-start-date']").Change("02/03/2026");
        form.Find("[data-testid='diagnosis-0-picker'] input, input[data-testid='diagnosis-0-picker']").Input("dengue haem");
        form.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll(".mud-popover .mud-list-item")), TimeSpan.FromSeconds(5));
        popovers.FindAll(".mud-popover .mud-list-item").First(e => e.TextContent.Contains("A91", StringComparison.Ordinal)).Click();
        form.WaitForAssertion(() => Assert.Equal("A91", form.Find("input[data-testid='diagnosis-0-icd10']").GetAttribute("value")));
        Assert.Equal("Dengue haemorrhagic fever", form.Find("input[data-testid='diagnosis-0-description']").GetAttribute("value"));

        form.Find("[data-testid='add-prescription']").Click();
        form.Find("[data-testid='prescription-0-drug'] input, input[data-testid='prescription-0-drug']").Input("paracetamol 500");
        form.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-popover .mud-list-item"), e => e.TextContent.Contains("Paracetamol 500 mg tablet", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5));
        popovers.FindAll(".mud-popover .mud-list-item").First(e => e.TextContent.Contains("Paracetamol 500 mg tablet", StringComparison.Ordinal)).Click();
        form.Find("input[data-testid='prescription-0-dose']").Input("1 g");
        form.Find("input[data-testid='prescription-0-frequency']").Input("four times daily");
        form.Find("input[data-testid='prescription-0-days']").Change("3");
        form.Find("[data-testid='save-admission']").Click();

        form.WaitForAssertion(() => Assert.Single(_saved), TimeSpan.FromSeconds(5));
        var json = string.Join("\n", _saved[0].Select(r => HealthPortal.Features.Records.FhirJson.Serialize(r.Fhir)));
        Assert.Contains("A91", json, StringComparison.Ordinal);
        Assert.Contains("Dengue haemorrhagic fever", json, StringComparison.Ordinal);
        Assert.Contains("Paracetamol 500 mg tablet", json, StringComparison.Ordinal);
    }
}
