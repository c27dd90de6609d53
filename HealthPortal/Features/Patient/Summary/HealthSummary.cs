using System.Globalization;
using Hl7.Fhir.Model;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;

namespace HealthPortal.Features.Patient.Summary;

/// <summary>
/// The record an entry of the summary was read from: its anchor on the ledger (transaction, block) and its facility,
/// so every line of the summary can be followed back to a record whose hash was checked.
/// </summary>
public sealed record SummarySource(string TxId, long Height, string FacilityId, string FacilityName, string RecordId, string Kind, DateOnly Date, DateTimeOffset AnchoredAt)
{
    public static SummarySource Of(TimelineEntry e) =>
        new(e.TxId, e.Anchor.Height, e.Anchor.Facility, e.FacilityName, e.Anchor.RecordId, e.Kind, e.Date, e.AnchoredAt);
}

public sealed record SummaryProblem(string Name, string? Code, DateOnly Recorded, SummarySource Source, Condition Fhir);

public sealed record SummaryMedication(string Name, string? Dosage, DateOnly Prescribed, DateOnly? Until, bool Current, SummarySource Source, MedicationRequest Fhir);

public sealed record SummaryAllergy(string Substance, string? Kind, string? Reaction, DateOnly Recorded, SummarySource Source, AllergyIntolerance Fhir);

public sealed record SummaryImmunization(string Vaccine, DateOnly Date, SummarySource Source, Immunization Fhir);

/// <summary>One measurement of a test: when it was taken, its value and flag, and the record it came from.</summary>
public sealed record ResultPoint(DateTimeOffset Taken, decimal? Value, string ValueText, string? Flag, bool Abnormal, SummarySource Source);

/// <summary>Every measurement of one test (same LOINC code) across the patient's verified records, oldest first.</summary>
public sealed record ResultTrend(string Code, string Name, string? Unit, decimal? Low, decimal? High, string? RangeText, IReadOnlyList<ResultPoint> Points)
{
    public ResultPoint Latest => Points[^1];

    public ResultPoint? Previous => Points.Count > 1 ? Points[^2] : null;

    /// <summary>"up", "down", "same", or null when there is nothing to compare with.</summary>
    public string? Direction => Previous?.Value is { } before && Latest.Value is { } now
        ? now > before ? "up" : now < before ? "down" : "same"
        : null;

    /// <summary>A chart needs two numeric points.</summary>
    public bool HasTrend => Points.Count(p => p.Value is not null) > 1;
}

/// <summary>
/// A patient's health summary (the content of an International Patient Summary), read only from records whose
/// hash matched the anchor. A record that could not be verified contributes nothing and is listed in
/// <see cref="NotIncluded"/> instead, so nothing is silently left out and nothing unverified looks verified.
/// </summary>
public sealed record HealthSummary(
    string? Mpi,
    DateTimeOffset BuiltAt,
    IReadOnlyList<SummaryProblem> Problems,
    IReadOnlyList<SummaryMedication> Medications,
    IReadOnlyList<SummaryAllergy> Allergies,
    IReadOnlyList<ResultTrend> Results,
    IReadOnlyList<ResultTrend> VitalSigns,
    IReadOnlyList<SummaryImmunization> Immunizations,
    IReadOnlyList<TimelineEntry> NotIncluded,
    int VerifiedRecords)
{
    /// <summary>The verified records the summary was read from, one per anchor.</summary>
    public IReadOnlyList<SummarySource> Sources { get; init; } = [];

    /// <summary>Each source record's FHIR content as verified, by anchor transaction.</summary>
    public IReadOnlyDictionary<string, Resource> SourceRecords { get; init; } = new Dictionary<string, Resource>();

    /// <summary>Set when the patient's number was merged into another without their signature: the summary covers only their own number's records, and the page says why.</summary>
    public Records.MergedAway? MergedAway { get; init; }

    public bool IsEmpty => Problems.Count + Medications.Count + Allergies.Count + Results.Count + VitalSigns.Count + Immunizations.Count == 0;

    private static readonly HashSet<string> ActiveClinicalStatus = ["active", "recurrence", "relapse"];

    /// <summary>Reads the summary from a timeline: only Verified records with content, each section newest first.</summary>
    public static HealthSummary From(PatientTimeline timeline, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var problems = new List<SummaryProblem>();
        var medications = new List<SummaryMedication>();
        var allergies = new List<SummaryAllergy>();
        var immunizations = new List<SummaryImmunization>();
        var results = new List<(Observation Observation, SummarySource Source)>();
        var vitals = new List<(Observation Observation, SummarySource Source)>();
        var sources = new List<SummarySource>();
        var sourceRecords = new Dictionary<string, Resource>(StringComparer.Ordinal);
        var notIncluded = new List<TimelineEntry>();

        foreach (var entry in timeline.Entries)
        {
            if (entry.Integrity != RecordIntegrity.Verified || entry.Verified.Record is not { } record)
            {
                notIncluded.Add(entry);
                continue;
            }
            var source = SummarySource.Of(entry);
            sources.Add(source);
            sourceRecords[source.TxId] = record.Fhir;
            foreach (var resource in Resources(record.Fhir))
            {
                switch (resource)
                {
                    case Condition c when IsActive(c):
                        problems.Add(new(FhirFormat.Text(c.Code) ?? "Condition", FhirFormat.Code(c.Code), DateOf(c.RecordedDate) ?? source.Date, source, c));
                        break;
                    case MedicationRequest m:
                        var prescribed = DateOf(m.AuthoredOn) ?? source.Date;
                        var until = m.DispenseRequest?.ExpectedSupplyDuration is { Value: { } days, Code: "d" }
                            ? prescribed.AddDays((int)days) : (DateOnly?)null;
                        var current = m.Status is MedicationRequest.MedicationrequestStatus.Active && (until is null || until >= today);
                        medications.Add(new(MedicationName(m), FhirFormat.Join(m.DosageInstruction.Select(d => d.Text)), prescribed, until, current, source, m));
                        break;
                    case AllergyIntolerance a:
                        allergies.Add(new(FhirFormat.Text(a.Code) ?? "Allergy", FhirFormat.Join(a.Category.Select(x => FhirFormat.Status(x))),
                            FhirFormat.Join(a.Reaction.Select(FhirFormat.Reaction)), DateOf(a.RecordedDate) ?? source.Date, source, a));
                        break;
                    case Immunization i:
                        immunizations.Add(new(FhirFormat.Text(i.VaccineCode) ?? "Vaccine", DateOf((i.Occurrence as FhirDateTime)?.Value) ?? source.Date, source, i));
                        break;
                    case Observation o when IsVitalSign(o):
                        vitals.Add((o, source));
                        break;
                    case Observation o:
                        results.Add((o, source));
                        break;
                }
            }
        }

        return new HealthSummary(
            timeline.Mpi, now,
            problems.OrderByDescending(p => p.Recorded).ToList(),
            medications.OrderByDescending(m => m.Current).ThenByDescending(m => m.Prescribed).ToList(),
            allergies.OrderByDescending(a => a.Recorded).ToList(),
            Trends(results), Trends(vitals),
            immunizations.OrderByDescending(i => i.Date).ToList(),
            notIncluded, sources.Count) { Sources = sources, SourceRecords = sourceRecords, MergedAway = timeline.MergedAway };
    }

    /// <summary>
    /// The clinical resources inside a record: itself, the entries of a collection Bundle (a clinic visit), and a
    /// report's results (contained Observations of a laboratory report).
    /// </summary>
    private static IEnumerable<Resource> Resources(Resource fhir)
    {
        switch (fhir)
        {
            case Bundle bundle:
                foreach (var inner in bundle.Entry.Select(e => e.Resource).Where(r => r is not null))
                    foreach (var r in Resources(inner!)) yield return r;
                break;
            case DiagnosticReport report:
                foreach (var reference in report.Result)
                    if (FhirFormat.Resolve(reference, report, null) is Observation o) yield return o;
                break;
            default:
                yield return fhir;
                break;
        }
    }

    private static bool IsActive(Condition c)
    {
        var status = c.ClinicalStatus?.Coding.FirstOrDefault()?.Code;
        return status is null || ActiveClinicalStatus.Contains(status);
    }

    private static bool IsVitalSign(Observation o) =>
        o.Category.Any(c => c.Coding.Any(x => x.Code == "vital-signs"));

    private static string MedicationName(MedicationRequest m) => m.Medication switch
    {
        CodeableConcept concept => FhirFormat.Text(concept) ?? "Medication",
        ResourceReference reference => FhirFormat.Reference(reference) ?? "Medication",
        _ => "Medication",
    };

    private static DateOnly? DateOf(string? fhirDate) =>
        fhirDate is { Length: >= 10 } && DateOnly.TryParseExact(fhirDate[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static DateTimeOffset TakenOf(Observation o, SummarySource source) =>
        o.Effective is FhirDateTime { Value: { } text } && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var taken)
            ? taken
            : new DateTimeOffset(source.Date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>One trend per test; a blood pressure panel becomes its systolic and diastolic components.</summary>
    private static List<ResultTrend> Trends(IEnumerable<(Observation Observation, SummarySource Source)> observations)
    {
        var points = new List<(string Code, string Name, Quantity? Quantity, DataType? Value, Observation Observation, SummarySource Source)>();
        foreach (var (o, source) in observations)
        {
            if (o.Value is null && o.Component.Count > 0)
            {
                foreach (var c in o.Component)
                    points.Add((KeyOf(c.Code), ClinicalTerms.TestName(c.Code) ?? "Result", c.Value as Quantity, c.Value, o, source));
            }
            else
            {
                points.Add((KeyOf(o.Code), ClinicalTerms.TestName(o.Code) ?? "Result", o.Value as Quantity, o.Value, o, source));
            }
        }
        return points
            .GroupBy(p => p.Code)
            .Select(g =>
            {
                var ordered = g.OrderBy(p => TakenOf(p.Observation, p.Source)).ToList();
                var latest = ordered[^1];
                var range = latest.Observation.Component.Count > 0 ? null : latest.Observation.ReferenceRange.FirstOrDefault();
                var unit = latest.Quantity is { } q ? ClinicalTerms.UnitOf(q) : null;
                return new ResultTrend(
                    g.Key, latest.Name, unit, range?.Low?.Value, range?.High?.Value,
                    range is null ? null : FhirFormat.ReferenceRange([range]),
                    ordered.Select(p =>
                    {
                        var flag = p.Observation.Component.Count > 0 ? null : FhirFormat.Flag(p.Observation.Interpretation);
                        return new ResultPoint(TakenOf(p.Observation, p.Source), p.Quantity?.Value, FhirFormat.Value(p.Value) ?? "—", flag?.Label, flag?.Abnormal ?? false, p.Source);
                    }).ToList());
            })
            .OrderBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
    }

    private static string KeyOf(CodeableConcept? code)
    {
        var coding = code?.Coding.FirstOrDefault(c => c.Code is not null);
        return coding is null ? FhirFormat.Text(code) ?? "" : $"{coding.System}|{coding.Code}";
    }
}
