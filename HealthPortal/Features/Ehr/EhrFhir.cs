using System.Globalization;
using Hl7.Fhir.Model;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// The pieces every format's FHIR mapping shares: the patient as an MPI identifier (never demographics), the
/// facility as an Organization identifier and <c>meta.source</c>, and date forms that depend only on the row.
/// Nothing here reads the clock or makes ids: the same row must give the same JSON, and so the same hash, forever.
/// </summary>
public static class EhrFhir
{
    public const string MpiSystem = "urn:healthportal:mpi";
    public const string FacilitySystem = "urn:healthportal:facility";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string LoincSystem = "http://loinc.org";

    public static ResourceReference Patient(string mpi) => new()
    {
        Type = "Patient",
        Identifier = new Identifier(MpiSystem, mpi),
    };

    public static ResourceReference Organization(string facilityId) => new()
    {
        Type = "Organization",
        Identifier = new Identifier(FacilitySystem, facilityId),
    };

    /// <summary>A person named as the form recorded them (the stores keep clinicians as names, not directory entries).</summary>
    public static ResourceReference Person(string name) => new() { Display = name };

    public static Meta Meta(string facilityId) => new() { Source = FacilitySystem + ":" + facilityId };

    /// <summary>Stored times are UTC (the stores keep <see cref="DateTime"/> without an offset).</summary>
    public static FhirDateTime DateTime(DateTime utc) =>
        new(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    public static DateTimeOffset Instant(DateTime utc) => new(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    public static string Date(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// A record's date: the day of a stored UTC instant at the facility (its time zone, Asia/Yangon by default), not in
    /// UTC. A visit entered in Yangon for 7 December without a time is stored as 6 December 17:30 UTC; it is still a
    /// record of 7 December. (The FHIR content keeps the exact instant; only the date the record is listed under moves.)
    /// </summary>
    public static DateOnly LocalDate(DateTime utc, TimeZoneInfo? zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone ?? Times.PortalTimeZones.Default));

    public static Quantity Quantity(decimal value, string unit) => new() { Value = value, Unit = unit, System = Ucum, Code = unit };

    public static CodeableConcept Loinc(string code, string display) => new(LoincSystem, code, display, null);

    /// <summary>Plain text as a FHIR attachment (UTF-8, base64 in JSON).</summary>
    public static Attachment Text(string title, string text) => new()
    {
        ContentType = "text/plain; charset=utf-8",
        Language = null,
        Data = System.Text.Encoding.UTF8.GetBytes(text),
        Title = title,
    };
}
