using System.Globalization;
using System.Text;
using Hl7.Fhir.Model;

namespace HealthPortal.Features.Records;

/// <summary>
/// Plain-language text for FHIR R4 values, used by <see cref="FhirRecordView"/>. Every method accepts what the
/// stores may leave out (null, empty lists) and answers null for "nothing to show", so a row can simply be skipped.
/// </summary>
public static class FhirFormat
{
    // Dates day first with the reader's month names (the record's own date/time as written, no zone conversion).
    private static CultureInfo Display => HealthPortal.Features.Times.UserTime.Culture;

    // The few words this class adds to a record's values (yes/no, "from", frequencies); the values themselves, codes
    // and units are shown as the record holds them.
    private static readonly HealthPortal.Features.Words.ResourceWords Words = new(typeof(FhirFormat));

    public static string? Text(CodeableConcept? concept)
    {
        if (concept is null) return null;
        if (!string.IsNullOrWhiteSpace(concept.Text)) return concept.Text;
        var coding = concept.Coding.FirstOrDefault();
        return coding?.Display ?? coding?.Code;
    }

    public static string? Text(IEnumerable<CodeableConcept>? concepts) => Join(concepts?.Select(Text));

    /// <summary>"ICD-10 I10" — the code and the name of its code system, for diagnoses and lab tests.</summary>
    public static string? Code(CodeableConcept? concept)
    {
        var coding = concept?.Coding.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c.Code));
        return coding is null ? null : $"{SystemName(coding.System)} {coding.Code}".Trim();
    }

    public static string SystemName(string? system) => system switch
    {
        "http://hl7.org/fhir/sid/icd-10" or "http://hl7.org/fhir/sid/icd-10-cm" => "ICD-10",
        "http://loinc.org" => "LOINC",
        "http://snomed.info/sct" => "SNOMED CT",
        "http://www.nlm.nih.gov/research/umls/rxnorm" => "RxNorm",
        "http://www.whocc.no/atc" => "ATC",
        null or "" => "",
        _ => system,
    };

    public static string? Text(Coding? coding) => coding is null ? null : coding.Display ?? coding.Code;

    public static string? Reference(ResourceReference? reference) =>
        reference is null ? null : reference.Display ?? reference.Identifier?.Value ?? reference.Reference;

    public static string? References(IEnumerable<ResourceReference?>? references) => Join(references?.Select(Reference));

    public static string? DateTime(string? fhirDateTime)
    {
        if (string.IsNullOrWhiteSpace(fhirDateTime)) return null;
        // FHIR dates may be partial (2026, 2026-03): show what was given.
        if (fhirDateTime.Length <= 7) return fhirDateTime;
        if (fhirDateTime.Length == 10 && DateOnly.TryParseExact(fhirDateTime, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date.ToString("d MMM yyyy", Display);
        return DateTimeOffset.TryParse(fhirDateTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment)
            ? moment.ToString("d MMM yyyy HH:mm", Display)
            : fhirDateTime;
    }

    public static string? Instant(DateTimeOffset? instant) => instant?.ToString("d MMM yyyy HH:mm", Display);

    public static string? Period(Period? period)
    {
        if (period is null) return null;
        var start = DateTime(period.Start);
        var end = DateTime(period.End);
        return (start, end) switch
        {
            (null, null) => null,
            (_, null) => Words.Format("From", start),
            (null, _) => Words.Format("Until", end),
            _ => $"{start} – {end}",
        };
    }

    public static string? Quantity(Quantity? quantity)
    {
        if (quantity?.Value is not { } value) return null;
        var comparator = quantity.Comparator is { } c ? Comparator(c) + " " : "";
        var unit = ClinicalTerms.UnitOf(quantity);
        // Units that are symbols attach to the number ("38.2 °C" and "7.2 %" read fine; "×10³/µL" too): one space always.
        return $"{comparator}{Number(value)}{(string.IsNullOrWhiteSpace(unit) ? "" : " " + unit)}";
    }

    public static string Number(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    private static string Comparator(Quantity.QuantityComparator comparator) => comparator switch
    {
        Hl7.Fhir.Model.Quantity.QuantityComparator.LessThan => "<",
        Hl7.Fhir.Model.Quantity.QuantityComparator.LessOrEqual => "≤",
        Hl7.Fhir.Model.Quantity.QuantityComparator.GreaterOrEqual => "≥",
        Hl7.Fhir.Model.Quantity.QuantityComparator.GreaterThan => ">",
        _ => "",
    };

    public static string? Range(Hl7.Fhir.Model.Range? range)
    {
        if (range is null) return null;
        var low = Quantity(range.Low);
        var high = Quantity(range.High);
        return (low, high) switch
        {
            (null, null) => null,
            (_, null) => $"≥ {low}",
            (null, _) => $"≤ {high}",
            _ when ClinicalTerms.UnitOf(range.Low!) == ClinicalTerms.UnitOf(range.High!) => $"{Number(range.Low!.Value!.Value)}–{high}",
            _ => $"{low} – {high}",
        };
    }

    /// <summary>An Observation's value[x] (or a component's), whatever its type.</summary>
    public static string? Value(DataType? value) => value switch
    {
        null => null,
        Quantity q => Quantity(q),
        CodeableConcept c => Text(c),
        FhirString s => s.Value,
        FhirBoolean b => b.Value is { } v ? Words.Text(v ? "Yes" : "No") : null,
        Integer i => i.Value?.ToString(CultureInfo.InvariantCulture),
        Hl7.Fhir.Model.Range r => Range(r),
        Ratio r => Quantity(r.Numerator) is { } n && Quantity(r.Denominator) is { } d ? $"{n} / {d}" : null,
        Period p => Period(p),
        FhirDateTime dt => DateTime(dt.Value),
        Time t => t.Value,
        _ => value.ToString(),
    };

    public static string? ReferenceRange(IEnumerable<Observation.ReferenceRangeComponent>? ranges) =>
        Join(ranges?.Select(r => r.Text ?? Range(new Hl7.Fhir.Model.Range { Low = r.Low, High = r.High }) ?? Text(r.AppliesTo)));

    private static readonly HashSet<string> NormalCodes = ["N", "NEG", "ND", "NR"];

    /// <summary>The interpretation flag ("High", "Low", "Abnormal") and whether it says the value is outside normal.</summary>
    public static (string Label, bool Abnormal)? Flag(IEnumerable<CodeableConcept>? interpretation)
    {
        var concept = interpretation?.FirstOrDefault();
        if (concept is null) return null;
        var code = concept.Coding.FirstOrDefault()?.Code;
        var label = Text(concept) ?? code ?? "";
        var abnormal = code is null ? !label.Equals("normal", StringComparison.OrdinalIgnoreCase) : !NormalCodes.Contains(code);
        return (label, abnormal);
    }

    /// <summary>"2 tablet" / "500 mg" / "1–2 tablet": the first dose of a dosage.</summary>
    public static string? Dose(Dosage? dosage) =>
        dosage?.DoseAndRate.Select(d => d.Dose switch
        {
            Quantity q => Quantity(q),
            Hl7.Fhir.Model.Range r => Range(r),
            _ => null,
        }).FirstOrDefault(text => text is not null);

    /// <summary>"3 times a day", "every 8 hours", or the timing's code text ("BID").</summary>
    public static string? Frequency(Timing? timing)
    {
        if (timing is null) return null;
        var repeat = timing.Repeat;
        if (repeat?.Frequency is { } times && repeat.Period is { } period && repeat.PeriodUnit is { } unit)
        {
            return (times, period == 1) switch
            {
                (1, true) => Words.Format("OncePer", UnitName(unit)),
                (1, false) => Words.Format("EveryN", Number(period), UnitName(unit, plural: true)),
                (_, true) => Words.Format("TimesPer", times, UnitName(unit)),
                _ => Words.Format("TimesEveryN", times, Number(period), UnitName(unit, plural: true)),
            };
        }
        return Text(timing.Code);
    }

    /// <summary>How long the prescription runs: the timing's bounds, else the dispense's expected supply duration.</summary>
    public static string? Duration(MedicationRequest request)
    {
        var bounds = request.DosageInstruction.Select(d => d.Timing?.Repeat?.Bounds).FirstOrDefault(b => b is not null);
        return bounds switch
        {
            Duration d => Quantity(d),
            Period p => Period(p),
            Hl7.Fhir.Model.Range r => Range(r),
            _ => Quantity(request.DispenseRequest?.ExpectedSupplyDuration),
        };
    }

    // English needs a plural ("every 8 hours"); Burmese counts with the same word, so its plural keys repeat it.
    private static string UnitName(Timing.UnitsOfTime unit, bool plural = false)
    {
        var key = unit switch
        {
            Timing.UnitsOfTime.S => "Second",
            Timing.UnitsOfTime.Min => "Minute",
            Timing.UnitsOfTime.H => "Hour",
            Timing.UnitsOfTime.D => "Day",
            Timing.UnitsOfTime.Wk => "Week",
            Timing.UnitsOfTime.Mo => "Month",
            Timing.UnitsOfTime.A => "Year",
            _ => null,
        };
        return key is null ? unit.ToString().ToLowerInvariant() : Words.Text(key + (plural ? "s" : ""));
    }

    /// <summary>"rash (moderate)": an allergy reaction's manifestations and, when recorded, its severity.</summary>
    public static string? Reaction(AllergyIntolerance.ReactionComponent? reaction)
    {
        var what = Text(reaction?.Manifestation);
        if (what is null) return null;
        return reaction!.Severity is { } severity ? $"{what} ({Status(severity)})" : what;
    }

    /// <summary>The readable text of a note's attachments (text/* content inline); other attachments by title.</summary>
    public static IReadOnlyList<string> NoteText(DocumentReference note) =>
        note.Content.Select(c => c.Attachment).Where(a => a is not null).Select(a =>
            a!.Data is { Length: > 0 } data && (a.ContentType is null || a.ContentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
                ? Encoding.UTF8.GetString(data)
                : Words.Format("Attachment", a.Title ?? a.Url ?? Words.Text("Untitled"), a.ContentType is null ? "" : $" ({a.ContentType})")).ToList();

    /// <summary>
    /// The resource a reference points at, inside the record itself: a contained resource (<c>#id</c>), or an entry
    /// of the record's Bundle (by fullUrl, or by <c>Type/id</c>). Null when the target is not part of the record.
    /// </summary>
    public static Resource? Resolve(ResourceReference? reference, DomainResource? container, Bundle? bundle)
    {
        if (reference?.Reference is not { Length: > 0 } target) return null;
        if (target.StartsWith('#'))
            return container?.Contained.FirstOrDefault(r => r.Id == target[1..]);
        return bundle?.Entry.FirstOrDefault(e => e.FullUrl == target)?.Resource
            ?? bundle?.Entry.Select(e => e.Resource).FirstOrDefault(r => r is not null && $"{r.TypeName}/{r.Id}" == target);
    }

    /// <summary>The entries of a Bundle shown at its top level: results of a report in the same Bundle are shown with the report.</summary>
    public static IReadOnlyList<Resource> TopLevel(Bundle bundle)
    {
        var resources = bundle.Entry.Select(e => e.Resource).Where(r => r is not null).ToList();
        var shownWithReport = resources.OfType<DiagnosticReport>()
            .SelectMany(report => report.Result.Select(r => Resolve(r, report, bundle)))
            .Where(r => r is not null)
            .ToHashSet(ReferenceEqualityComparer.Instance);
        return resources.Where(r => !shownWithReport.Contains(r)).ToList()!;
    }

    public static string? Join(IEnumerable<string?>? parts)
    {
        var list = parts?.Where(p => !string.IsNullOrWhiteSpace(p)).Distinct().ToList();
        return list is { Count: > 0 } ? string.Join(", ", list) : null;
    }

    /// <summary>A FHIR code enum as its words ("EnteredInError" → "entered in error").</summary>
    public static string? Status(Enum? status) => status is null
        ? null
        : string.Concat(status.ToString().Select((ch, i) => i > 0 && char.IsUpper(ch) ? " " + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
}
