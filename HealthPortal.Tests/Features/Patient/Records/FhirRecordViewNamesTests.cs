using Bunit;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>
/// The record view names facilities by name: a store's FHIR content names the performing laboratory or the hospital by
/// its portal id ("demo-northgate"), which is hashed as it is, so the view (not the record) maps it (issue 16).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class FhirRecordViewNamesTests(PortalFactory portal) : PortalComponentTest
{
    protected override System.Threading.Tasks.Task ConfigureAsync()
    {
        Services.AddSingleton(portal.Services.GetRequiredService<FacilityNames>());
        return System.Threading.Tasks.Task.CompletedTask;
    }

    private static string Field(IRenderedComponent<FhirRecordView> view, string label) =>
        view.Find($"[data-testid='fhir-field'][data-field='{label}'] td").TextContent.Trim();

    [Fact]
    public void Performer_NamedByFacilityId_IsShownByTheFacilitysName()
    {
        var report = new DiagnosticReport
        {
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "24323-8", "Comprehensive metabolic panel"),
            Performer = [EhrFhir.Organization("demo-northgate")],
        };
        var encounter = new Encounter
        {
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP"),
            ServiceProvider = EhrFhir.Organization("demo-riverside"),
        };

        var reportView = Render<FhirRecordView>(p => p.Add(v => v.Resource, report));
        var encounterView = Render<FhirRecordView>(p => p.Add(v => v.Resource, encounter));

        reportView.WaitForAssertion(() => Assert.Equal("Northgate Diagnostics Laboratory", Field(reportView, "Performer")));
        encounterView.WaitForAssertion(() => Assert.Equal("Riverside General Hospital", Field(encounterView, "Facility")));
        // The content keeps the id: only the view maps it.
        Assert.Equal("demo-northgate", report.Performer[0].Identifier?.Value);
    }

    [Fact]
    public void AnIdNoFacilityHas_OrANamedReference_IsShownAsItIs()
    {
        var report = new DiagnosticReport
        {
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "24323-8", "Comprehensive metabolic panel"),
            Performer = [EhrFhir.Organization("no-such-facility"), new ResourceReference { Display = "Dr. Hnin Wai Lwin" }],
        };

        var view = Render<FhirRecordView>(p => p.Add(v => v.Resource, report));

        view.WaitForAssertion(() => Assert.Equal("no-such-facility, Dr. Hnin Wai Lwin", Field(view, "Performer")));
    }
}
