using Bunit;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Hl7.Fhir.Model;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>The common record view renders every form the stores serve, from the Resource parameter alone.</summary>
public sealed class FhirRecordViewTests : PortalComponentTest
{
    private const string Mpi = "1234-5678-9012";

    private IRenderedComponent<FhirRecordView> View(Resource resource) => Render<FhirRecordView>(p => p.Add(v => v.Resource, resource));

    private static string Field(IRenderedComponent<FhirRecordView> view, string label) =>
        view.Find($"[data-testid='fhir-field'][data-field='{label}'] td").TextContent.Trim();

    [Fact]
    public void Encounter_ShowsTypePeriodWardAndClinician()
    {
        var view = View(SampleFhir.Encounter(Mpi));

        Assert.Equal("Encounter", view.Find("[data-testid='fhir-kind']").TextContent);
        Assert.Equal("Admission", Field(view, "Type"));
        Assert.Equal("2 Mar 2026 09:00 – 5 Mar 2026 11:30", Field(view, "Period"));
        Assert.Equal("Ward 3", Field(view, "Ward / location"));
        Assert.Equal("Dr Okafor", Field(view, "Clinician"));
    }

    [Fact]
    public void Condition_ShowsDiagnosisCodeAndText()
    {
        var view = View(SampleFhir.Condition(Mpi));

        Assert.Equal("Essential (primary) hypertension", Field(view, "Diagnosis"));
        Assert.Equal("ICD-10 I10", Field(view, "Code"));
        Assert.Equal("Active", Field(view, "Clinical status"));
    }

    [Fact]
    public void Prescription_ShowsDoseRouteFrequencyAndDuration()
    {
        var view = View(SampleFhir.Prescription(Mpi));

        Assert.Equal("Amlodipine 5 mg tablet", Field(view, "Medication"));
        Assert.Equal("1 tablet", Field(view, "Dose"));
        Assert.Equal("Oral", Field(view, "Route"));
        Assert.Equal("2 times a day", Field(view, "Frequency"));
        Assert.Equal("30 days", Field(view, "Duration"));
    }

    [Fact]
    public void Observation_ShowsValueUnitRangeAndAbnormalFlag()
    {
        var observation = SampleFhir.Glucose(Mpi);
        observation.Value = new Quantity(7.8m, "mmol/L");
        observation.ReferenceRange[0].Low = new Quantity(3.9m, "mmol/L");
        observation.ReferenceRange[0].High = new Quantity(5.5m, "mmol/L");

        var view = View(observation);

        Assert.StartsWith("7.8 mmol/L", Field(view, "Value"));
        Assert.Equal("3.9–5.5 mmol/L", Field(view, "Reference range"));
        var flag = view.Find("[data-testid='result-flag']");
        Assert.Equal("High", flag.TextContent.Trim());
        Assert.Equal("true", flag.GetAttribute("data-abnormal"));
    }

    [Fact]
    public void Observation_NormalFlag_IsNotAbnormal()
    {
        var view = View(SampleFhir.Potassium(Mpi));

        Assert.Equal("false", view.Find("[data-testid='result-flag']").GetAttribute("data-abnormal"));
    }

    [Fact]
    public void Note_ShowsItsText()
    {
        var view = View(SampleFhir.Note(Mpi));

        Assert.Equal("Clinical note", view.Find("[data-testid='fhir-kind']").TextContent);
        Assert.Equal("Blood pressure settling on amlodipine.", view.Find("[data-testid='note-text']").TextContent.Trim());
        Assert.Equal("Dr Okafor", Field(view, "Author"));
    }

    [Fact]
    public void LabBundle_ShowsTheReportWithItsResultsOnce()
    {
        var view = View(SampleFhir.LabReport(Mpi));

        var entry = Assert.Single(view.FindAll("[data-testid='bundle-entry']"));
        Assert.Contains("Comprehensive metabolic panel", entry.TextContent);
        Assert.Contains("Raised fasting glucose.", entry.TextContent);
        var results = view.FindAll("[data-testid='report-result']");
        Assert.Equal(2, results.Count);
        Assert.Contains("8 mmol/L", results[0].TextContent);
        Assert.Contains("4–6 mmol/L", results[0].TextContent);
        Assert.Contains("High", results[0].TextContent);
        Assert.Contains("Potassium", results[1].TextContent);
    }

    [Fact]
    public void Report_WithContainedResults_ResolvesThem()
    {
        var report = new DiagnosticReport
        {
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Code = new CodeableConcept(SampleFhir.Loinc, "58410-2", "Complete blood count"),
            Contained = [new Observation { Id = "hb", Status = ObservationStatus.Final, Code = new CodeableConcept(null, null, "Haemoglobin"), Value = new Quantity(13, "g/dL") }],
            Result = [new ResourceReference("#hb"), new ResourceReference { Reference = "Observation/elsewhere", Display = "Platelets" }],
        };

        var view = View(report);

        var results = view.FindAll("[data-testid='report-result']");
        Assert.Contains("13 g/dL", results[0].TextContent);
        Assert.Contains("Platelets (not part of this record)", results[1].TextContent);
    }

    [Fact]
    public void ClinicBundle_ShowsEachEntry()
    {
        var view = View(SampleFhir.ClinicVisit(Mpi));

        var entries = view.FindAll("[data-testid='bundle-entry']");
        Assert.Equal(2, entries.Count);
        Assert.Contains("Ward 3", entries[0].TextContent);
        Assert.Contains("Systolic blood pressure", entries[1].TextContent);
        Assert.Contains("142 mmHg", entries[1].TextContent);
        Assert.Equal(["Bundle", "Encounter", "Observation"], view.FindAll("[data-testid='fhir-record']").Select(e => e.GetAttribute("data-resource-type")));
    }

    [Fact]
    public void OtherResource_SaysItHasNoDetailedView()
    {
        var view = View(new Hl7.Fhir.Model.Patient { Id = "p1" });

        Assert.Contains("no detailed view", view.Find("[data-testid='fhir-unsupported']").TextContent);
    }
}
