using System.Net;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Features.Times;

namespace HealthPortal.Features.Patient.Summary;

/// <summary>Who the summary is about, as the patient's own node knows them (never from the ledger).</summary>
public sealed record SummaryPatient(string Mpi, string? Name, DateOnly? BirthDate, AdministrativeGender? Gender);

/// <summary>
/// The health summary as a FHIR R4 document Bundle shaped like the International Patient Summary: a
/// <see cref="Composition"/> (LOINC 60591-5 "Patient summary Document") with the IPS sections and their LOINC
/// codes, the Patient, every clinical resource the sections name, and one <see cref="Provenance"/> per source record
/// naming its anchor (transaction and block) and its facility.
/// </summary>
/// <remarks>
/// The clinical resources are the records exactly as their facilities serve them (a laboratory report keeps its
/// contained results), so each one's hash can still be recomputed from the file; a clinic visit's vital signs are
/// taken out of the visit's Bundle, since a document cannot reference into a nested Bundle. The IPS profile package
/// (hl7.fhir.uv.ips) is not available offline here, so the document is checked against base R4 only: it follows the
/// IPS section codes and structure, but claims no profile in <c>meta.profile</c>.
/// </remarks>
public static class IpsDocument
{
    public const string CompositionType = "60591-5";
    public const string ProblemsSection = "11450-4";
    public const string AllergiesSection = "48765-2";
    public const string MedicationsSection = "10160-0";
    public const string ResultsSection = "30954-2";
    public const string VitalSignsSection = "8716-3";
    public const string ImmunizationsSection = "11369-6";

    public static string FileName(string? mpi) => $"health-summary-{mpi ?? "none"}.json";

    public static string ToJson(Bundle bundle) => JsonSerializer.Serialize(bundle, FhirJson.Indented);

    /// <summary>
    /// The document. Its narrative (the text a person reads in any FHIR viewer) gives dates day first on the reader's
    /// clock (<paramref name="clock"/>, as the summary page does); the coded elements keep FHIR dates and instants.
    /// </summary>
    public static Bundle Build(HealthSummary summary, SummaryPatient patient, UserTime clock)
    {
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Document,
            Identifier = new Identifier("urn:ietf:rfc:3986", Urn()),
            Timestamp = summary.BuiltAt,
        };
        var patientUrl = Urn();
        var authorUrl = Urn();
        var composition = new Composition
        {
            Status = CompositionStatus.Final,
            Type = EhrFhir.Loinc(CompositionType, "Patient summary Document"),
            Subject = new ResourceReference(patientUrl),
            DateElement = new FhirDateTime(summary.BuiltAt),
            Author = [new ResourceReference(authorUrl, "HealthPortal")],
            Title = "International Patient Summary",
            Text = Xhtml($"<p>Health summary of {Encode(patient.Name ?? patient.Mpi)}, read on {clock.Format(summary.BuiltAt)} ({clock.ZoneName}) from {summary.VerifiedRecords} records whose content matched the hash anchored on the HealthPortal ledger.</p>"),
        };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(), Resource = composition });
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = patientUrl, Resource = PatientOf(patient) });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = authorUrl,
            Resource = new Device
            {
                DeviceName = [new Device.DeviceNameComponent { Name = "HealthPortal", Type = DeviceNameType.UserFriendlyName }],
                Text = Xhtml("<p>HealthPortal, which assembled this summary from verified records.</p>"),
            },
        });

        // One entry per resource; the same resource (a report holding several results) is added once.
        var urls = new Dictionary<Resource, string>(ReferenceEqualityComparer.Instance);
        var targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string Add(Resource resource, SummarySource source)
        {
            if (!urls.TryGetValue(resource, out var url))
            {
                url = Urn();
                urls[resource] = url;
                bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = url, Resource = resource });
                if (!targets.TryGetValue(source.TxId, out var list)) targets[source.TxId] = list = [];
                list.Add(url);
            }
            return url;
        }

        composition.Section.Add(Section("Problem list", ProblemsSection, "Problem list - Reported",
            summary.Problems.Select(p => (Add(p.Fhir, p.Source), $"{p.Name}{(p.Code is null ? "" : $" ({p.Code})")}, recorded {Day(p.Recorded)} at {p.Source.FacilityName}")),
            "No active problems are recorded in your verified records."));
        composition.Section.Add(Section("Allergies and intolerances", AllergiesSection, "Allergies and adverse reactions Document",
            summary.Allergies.Select(a => (Add(a.Fhir, a.Source), $"{a.Substance}{(a.Reaction is null ? "" : $": {a.Reaction}")}, recorded {Day(a.Recorded)} at {a.Source.FacilityName}")),
            "No allergy is recorded in your verified records. This does not mean that you have none."));
        composition.Section.Add(Section("Medication summary", MedicationsSection, "History of Medication use Narrative",
            summary.Medications.Select(m => (Add(m.Fhir, m.Source), $"{m.Name}{(m.Dosage is null ? "" : $" — {m.Dosage}")}, prescribed {Day(m.Prescribed)}{(m.Until is { } until ? $" until {Day(until)}" : "")} at {m.Source.FacilityName}")),
            "No medication is recorded in your verified records."));
        composition.Section.Add(Section("Results", ResultsSection, "Relevant diagnostic tests/laboratory data Narrative",
            summary.Results.Select(t => (Add(EntryOf(t, summary), t.Latest.Source), TrendLine(t, clock))),
            "No laboratory result is recorded in your verified records."));
        composition.Section.Add(Section("Vital signs", VitalSignsSection, "Vital signs",
            summary.VitalSigns.Select(t => (Add(EntryOf(t, summary), t.Latest.Source), TrendLine(t, clock))),
            "No vital signs are recorded in your verified records."));
        composition.Section.Add(Section("Immunizations", ImmunizationsSection, "History of Immunization Narrative",
            summary.Immunizations.Select(i => (Add(i.Fhir, i.Source), $"{i.Vaccine}, {Day(i.Date)} at {i.Source.FacilityName}")),
            "No immunization is recorded in your verified records."));

        foreach (var source in summary.Sources.Where(s => targets.ContainsKey(s.TxId)))
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(), Resource = ProvenanceOf(source, targets[source.TxId]) });
        return bundle;
    }

    /// <summary>
    /// The resource a section names for a test: the laboratory report its latest value came from (the IPS results
    /// section takes reports), or the Observation itself when the record holds it directly or inside a visit's Bundle.
    /// </summary>
    private static Resource EntryOf(ResultTrend trend, HealthSummary summary)
    {
        var record = summary.SourceRecords[trend.Latest.Source.TxId];
        if (record is DiagnosticReport report) return report;
        IEnumerable<Observation> observations = record switch
        {
            Bundle bundle => bundle.Entry.Select(e => e.Resource).OfType<Observation>(),
            Observation o => [o],
            _ => [],
        };
        return observations.First(o => Codes(o.Code).Contains(trend.Code) || o.Component.Any(c => Codes(c.Code).Contains(trend.Code)));
    }

    private static IEnumerable<string> Codes(CodeableConcept? concept) =>
        concept?.Coding.Select(c => $"{c.System}|{c.Code}") ?? [];

    /// <summary>A calendar date as the portal writes it (en-GB, day first): "14 Jan 2026".</summary>
    private static string Day(DateOnly date) => date.ToString("d MMM yyyy", UserTime.Culture);

    private static string TrendLine(ResultTrend t, UserTime clock)
    {
        var line = new StringBuilder($"{t.Name}: {t.Latest.ValueText}");
        if (t.Latest.Flag is { } flag) line.Append($" ({flag})");
        line.Append($" on {clock.Date(t.Latest.Taken)}");
        if (t.RangeText is { } range) line.Append($"; reference range {range}");
        if (t.Previous is { } previous) line.Append($"; previously {previous.ValueText} on {clock.Date(previous.Taken)}");
        return line.ToString();
    }

    private static Composition.SectionComponent Section(string title, string code, string display, IEnumerable<(string Url, string Line)> entries, string empty)
    {
        var list = entries.ToList();
        // The same resource may carry several lines (two results of one report): reference it once.
        var section = new Composition.SectionComponent
        {
            Title = title,
            Code = EhrFhir.Loinc(code, display),
            Entry = [.. list.Select(e => e.Url).Distinct().Select(url => new ResourceReference(url))],
        };
        if (list.Count == 0)
        {
            section.Text = Xhtml($"<p>{Encode(empty)}</p>");
            section.EmptyReason = new CodeableConcept("http://terminology.hl7.org/CodeSystem/list-empty-reason", "unavailable", "Unavailable", null);
        }
        else
        {
            section.Text = Xhtml("<ul>" + string.Concat(list.Select(e => $"<li>{Encode(e.Line)}</li>")) + "</ul>");
        }
        return section;
    }

    private static Hl7.Fhir.Model.Patient PatientOf(SummaryPatient p)
    {
        var patient = new Hl7.Fhir.Model.Patient
        {
            Identifier = [new Identifier(EhrFhir.MpiSystem, p.Mpi)],
            Gender = p.Gender,
            BirthDate = p.BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Text = Xhtml($"<p>{Encode(p.Name ?? "Patient")} (MPI {Encode(p.Mpi)})</p>"),
        };
        if (p.Name is { Length: > 0 } name) patient.Name = [new HumanName { Text = name }];
        return patient;
    }

    private static Provenance ProvenanceOf(SummarySource source, IReadOnlyList<string> targets) => new()
    {
        Target = [.. targets.Select(t => new ResourceReference(t))],
        Recorded = source.AnchoredAt,
        Agent =
        [
            new Provenance.AgentComponent
            {
                Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "custodian", "Custodian", null),
                Who = new ResourceReference { Identifier = new Identifier(PatientRecordExport.NodeSystem, source.FacilityId), Display = source.FacilityName },
            },
        ],
        Entity =
        [
            new Provenance.EntityComponent
            {
                Role = Provenance.ProvenanceEntityRole.Source,
                What = new ResourceReference
                {
                    Identifier = new Identifier(PatientRecordExport.TransactionSystem, source.TxId),
                    Display = $"{RecordKinds.SingularLabel(source.Kind)} {source.RecordId}, anchored in block {source.Height}; hash checked when this summary was made",
                },
            },
        ],
    };

    private static Narrative Xhtml(string xhtml) => new()
    {
        Status = Hl7.Fhir.Model.Narrative.NarrativeStatus.Generated,
        Div = $"<div xmlns=\"http://www.w3.org/1999/xhtml\">{xhtml}</div>",
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Urn() => "urn:uuid:" + Guid.NewGuid().ToString("D");
}
