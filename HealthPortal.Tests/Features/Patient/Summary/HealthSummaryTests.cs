// FHIR POCO elements are all optional (nullable); these tests navigate what the builders are known to set.
#nullable disable warnings
using System.Text.Json;
using Hl7.Fhir.Model;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patient.Summary;
using HealthPortal.Features.Records;
using HealthPortal.Features.Times;
using HealthPortal.Tests.Support;
using static HealthPortal.Tests.Features.Patient.Summary.SummarySamples;

namespace HealthPortal.Tests.Features.Patient.Summary;

/// <summary>The health summary read from a timeline, and its IPS document: only verified records, every entry traceable to its anchor.</summary>
public sealed class HealthSummaryTests
{
    private const string Mpi = "MPI-SUMMARY-1";
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 10, 0, 0, TimeSpan.Zero);
    private const string Hemoglobin = "718-7";
    private const string HbA1c = "4548-4";

    private static HealthSummary Summary(params TimelineEntry[] entries) => HealthSummary.From(new PatientTimeline(Mpi, entries), Now);

    [Fact]
    public void Sections_AreReadFromVerifiedRecordsOnly_TheOthersAreListedAsNotIncluded()
    {
        var verified = AdmissionRecords(Mpi, new DateTime(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc));
        var altered = AdmissionRecords(Mpi, new DateTime(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc), "K35.8", "Acute appendicitis");
        var lab = Lab(Mpi, new DateTime(2026, 2, 1, 8, 0, 0, DateTimeKind.Utc), (Hemoglobin, 11.4m));

        var summary = Summary(
            [.. verified.Select(r => Entry(r)),
             Entry(altered.Single(r => r.Kind == RecordKinds.Diagnosis), RecordIntegrity.Altered),
             Entry(altered.Single(r => r.Kind == RecordKinds.Allergy), RecordIntegrity.Altered),
             Entry(lab, RecordIntegrity.Unavailable)]);

        Assert.Equal(["Essential (primary) hypertension"], summary.Problems.Select(p => p.Name));
        Assert.Equal("ICD-10 I10", summary.Problems[0].Code);
        var allergy = Assert.Single(summary.Allergies);
        Assert.Equal(("Penicillin", "Widespread itchy rash (moderate)", "medication"), (allergy.Substance, allergy.Reaction, allergy.Kind));
        var medication = Assert.Single(summary.Medications);
        Assert.Equal("Amlodipine", medication.Name);
        Assert.Equal(new DateOnly(2026, 4, 9), medication.Until);
        Assert.True(medication.Current);
        Assert.Empty(summary.Results);
        Assert.Equal(3, summary.NotIncluded.Count);
        Assert.Equal(verified.Count, summary.VerifiedRecords);
        // Every entry names the anchor of the record it was read from.
        Assert.Equal(verified.Single(r => r.Kind == RecordKinds.Allergy).RecordId, allergy.Source.RecordId);
        Assert.StartsWith("tx-", allergy.Source.TxId);
    }

    [Fact]
    public void Results_AreOneTrendPerTest_OldestFirst_WithReadableNamesUnitsAndRange()
    {
        var earlier = Lab(Mpi, new DateTime(2025, 8, 20, 8, 30, 0, DateTimeKind.Utc), (Hemoglobin, 10.6m), ("6690-2", 6.8m));
        var later = Lab(Mpi, new DateTime(2026, 2, 11, 9, 15, 0, DateTimeKind.Utc), (Hemoglobin, 12.4m), (HbA1c, 7.2m));

        var summary = Summary(Entry(later), Entry(earlier));

        Assert.Equal(["Hemoglobin", "Hemoglobin A1c (HbA1c)", "White blood cells (leukocytes)"], summary.Results.Select(t => t.Name));
        var hb = summary.Results[0];
        Assert.Equal([10.6m, 12.4m], hb.Points.Select(p => p.Value!.Value));
        Assert.Equal("12.4 g/dL", hb.Latest.ValueText);
        Assert.Equal("Normal", hb.Latest.Flag);
        Assert.Equal(("Low", true), (hb.Previous!.Flag, hb.Previous.Abnormal));
        Assert.Equal("up", hb.Direction);
        Assert.True(hb.HasTrend);
        Assert.Equal((12.0m, 17.5m), (hb.Low!.Value, hb.High!.Value));
        Assert.Equal("12–17.5 g/dL", hb.RangeText);
        var wbc = summary.Results[2];
        Assert.Equal("×10³/µL", wbc.Unit);
        Assert.Equal("6.8 ×10³/µL", wbc.Latest.ValueText);
        Assert.False(wbc.HasTrend);
        Assert.Null(wbc.Direction);
    }

    [Fact]
    public void VitalSigns_ComeFromTheVisitBundle_BloodPressureAsItsTwoComponents()
    {
        var visit = Visit(Mpi, new DateTime(2026, 2, 10, 4, 20, 0, DateTimeKind.Utc));

        var summary = Summary([.. visit.Select(r => Entry(r))]);

        Assert.Equal(["Body temperature", "Diastolic blood pressure", "Systolic blood pressure"], summary.VitalSigns.Select(t => t.Name));
        Assert.Equal("37.9 °C", summary.VitalSigns[0].Latest.ValueText);
        Assert.Equal("124 mmHg", summary.VitalSigns[2].Latest.ValueText);
        Assert.Empty(summary.Results);
        Assert.Empty(summary.Problems);
    }

    private static Bundle Document(HealthSummary summary, UserTime? clock = null) =>
        IpsDocument.Build(summary, new SummaryPatient(Mpi, "Aye Aye Myint", new DateOnly(1988, 4, 12), AdministrativeGender.Female), clock ?? UserTime.Default);

    private static IEnumerable<string> Narratives(Bundle bundle) =>
        bundle.Entry.Select(e => e.Resource).OfType<DomainResource>().Select(r => r.Text?.Div).OfType<string>()
            .Concat(bundle.Entry.Select(e => e.Resource).OfType<Composition>().SelectMany(c => c.Section).Select(s => s.Text?.Div).OfType<string>());

    [Fact]
    public void Document_Narrative_GivesDatesDayFirstOnTheReadersClock_TheCodedElementsKeepFhirDates()
    {
        // A sample taken at 20:00 UTC is the next morning in Yangon (UTC+06:30).
        var summary = Summary(
            [.. AdmissionRecords(Mpi, new DateTime(2026, 1, 14, 22, 5, 0, DateTimeKind.Utc)).Select(r => Entry(r)),
             Entry(Lab(Mpi, new DateTime(2025, 8, 20, 8, 30, 0, DateTimeKind.Utc), (Hemoglobin, 10.6m))),
             Entry(Lab(Mpi, new DateTime(2026, 2, 11, 20, 0, 0, DateTimeKind.Utc), (Hemoglobin, 11.4m)))]);
        var yangon = UserTime.For("Asia/Yangon");

        var bundle = Document(summary, yangon);

        var text = string.Join("\n", Narratives(bundle));
        Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}", text);
        var composition = Assert.IsType<Composition>(bundle.Entry[0].Resource);
        Assert.Contains($"read on {yangon.Format(Now)} (Yangon time)", composition.Text.Div);
        var results = Section(composition, IpsDocument.ResultsSection).Text.Div;
        Assert.Contains("11.4 g/dL", results);
        Assert.Contains("on 12 Feb 2026", results);
        Assert.Contains("previously 10.6 g/dL on 20 Aug 2025", results);
        Assert.Matches(@"recorded \d{1,2} [A-Z][a-z]{2} \d{4} at", Section(composition, IpsDocument.ProblemsSection).Text.Div);
        // The same document read on UTC says the 11th: the narrative follows the reader's zone, nothing else does.
        Assert.Contains("on 11 Feb 2026", Section(Assert.IsType<Composition>(Document(summary, UserTime.For("UTC")).Entry[0].Resource), IpsDocument.ResultsSection).Text.Div);
        Assert.Equal(Now, bundle.Timestamp);
        Assert.Equal("1988-04-12", bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Patient>().Single().BirthDate);
    }

    private static HealthSummary Full(out IReadOnlyList<TimelineEntry> entries)
    {
        entries =
        [
            .. AdmissionRecords(Mpi, new DateTime(2026, 1, 14, 22, 5, 0, DateTimeKind.Utc)).Select(r => Entry(r)),
            .. Visit(Mpi, new DateTime(2026, 2, 10, 4, 20, 0, DateTimeKind.Utc)).Select(r => Entry(r)),
            Entry(Lab(Mpi, new DateTime(2025, 8, 20, 8, 30, 0, DateTimeKind.Utc), (Hemoglobin, 10.6m))),
            Entry(Lab(Mpi, new DateTime(2026, 2, 11, 9, 15, 0, DateTimeKind.Utc), (Hemoglobin, 11.4m), ("6690-2", 7.2m))),
        ];
        return Summary([.. entries]);
    }

    [Fact]
    public void Document_IsAnIpsShapedDocumentBundle_EverySectionEntryResolvesInTheBundle()
    {
        var bundle = Document(Full(out _));

        Assert.Equal(Bundle.BundleType.Document, bundle.Type);
        Assert.NotNull(bundle.Identifier?.Value);
        Assert.NotNull(bundle.Timestamp);
        var composition = Assert.IsType<Composition>(bundle.Entry[0].Resource);
        Assert.Equal(("http://loinc.org", IpsDocument.CompositionType), (composition.Type.Coding[0].System, composition.Type.Coding[0].Code));
        Assert.Equal(
            [IpsDocument.ProblemsSection, IpsDocument.AllergiesSection, IpsDocument.MedicationsSection, IpsDocument.ResultsSection, IpsDocument.VitalSignsSection, IpsDocument.ImmunizationsSection],
            composition.Section.Select(s => s.Code.Coding[0].Code));
        var urls = bundle.Entry.ToDictionary(e => e.FullUrl, e => e.Resource);
        Assert.IsType<Hl7.Fhir.Model.Patient>(urls[composition.Subject.Reference]);
        foreach (var section in composition.Section)
            Assert.All(section.Entry, reference => Assert.True(urls.ContainsKey(reference.Reference), $"{section.Title}: {reference.Reference} is not in the bundle"));

        Assert.IsType<AllergyIntolerance>(urls[Section(composition, IpsDocument.AllergiesSection).Entry.Single().Reference]);
        Assert.IsType<Condition>(urls[Section(composition, IpsDocument.ProblemsSection).Entry.Single().Reference]);
        Assert.IsType<MedicationRequest>(urls[Section(composition, IpsDocument.MedicationsSection).Entry.Single().Reference]);
        // The results section names the latest report of each test (one report holds both of its results).
        Assert.All(Section(composition, IpsDocument.ResultsSection).Entry, r => Assert.IsType<DiagnosticReport>(urls[r.Reference]));
        Assert.Single(Section(composition, IpsDocument.ResultsSection).Entry);
        Assert.Contains("previously 10.6 g/dL", Section(composition, IpsDocument.ResultsSection).Text.Div);
        Assert.All(Section(composition, IpsDocument.VitalSignsSection).Entry, r => Assert.IsType<Observation>(urls[r.Reference]));
        var immunizations = Section(composition, IpsDocument.ImmunizationsSection);
        Assert.Empty(immunizations.Entry);
        Assert.Equal("unavailable", immunizations.EmptyReason.Coding[0].Code);
    }

    private static Composition.SectionComponent Section(Composition composition, string code) =>
        composition.Section.Single(s => s.Code.Coding[0].Code == code);

    [Fact]
    public void Document_EachClinicalEntry_HasAProvenanceNamingItsAnchor_AndIsTheRecordAsAnchored()
    {
        var summary = Full(out var entries);
        var bundle = Document(summary);

        var urls = bundle.Entry.ToDictionary(e => e.FullUrl, e => e.Resource);
        var provenances = bundle.Entry.Select(e => e.Resource).OfType<Provenance>().ToList();
        var clinical = bundle.Entry.Where(e => e.Resource is Condition or MedicationRequest or AllergyIntolerance or DiagnosticReport or Observation).ToList();
        Assert.NotEmpty(clinical);
        foreach (var entry in clinical)
        {
            var provenance = Assert.Single(provenances, p => p.Target.Any(t => t.Reference == entry.FullUrl));
            var txId = provenance.Entity.Single().What.Identifier.Value;
            var anchored = entries.Single(e => e.TxId == txId);
            Assert.Equal(PatientRecordExport.TransactionSystem, provenance.Entity.Single().What.Identifier.System);
            // A record included whole still hashes to its anchor: a reader of the file can check it.
            if (entry.Resource.TypeName == anchored.Verified.Record!.Fhir.TypeName)
                Assert.Equal(anchored.Anchor.Hash, RecordHash.Of(entry.Resource));
        }
    }

    [Fact]
    public void Document_ValidatesAgainstBaseR4_AndParsesBack()
    {
        var bundle = Document(Full(out _));
        var empty = Document(Summary());

        Assert.Empty(FhirValidation.ErrorsOf(bundle));
        Assert.Empty(FhirValidation.ErrorsOf(empty));
        var parsed = Assert.IsType<Bundle>(FhirJson.TryParse(IpsDocument.ToJson(bundle)));
        Assert.Equal(bundle.Entry.Count, parsed.Entry.Count);
        Assert.Equal("document", JsonDocument.Parse(IpsDocument.ToJson(bundle)).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void Validator_RejectsADocumentWithoutItsComposition()
    {
        // A control: the checks above prove something only if a broken document fails them.
        var bundle = Document(Full(out _));
        bundle.Entry.RemoveAt(0);

        Assert.NotEmpty(FhirValidation.ErrorsOf(bundle));
    }
}
