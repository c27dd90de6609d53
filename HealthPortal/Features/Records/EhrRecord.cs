using Hl7.Fhir.Model;

namespace HealthPortal.Features.Records;

/// <summary>
/// One record as the facility that holds it serves it: its FHIR R4 form (the input of the content hash) and the
/// metadata the ledger anchor repeats. <see cref="Summary"/> is a one-line human description ("Admission, Ward 3 —
/// Dr Okafor") shown where the patient confirms and in lists; it is not part of the hash.
/// </summary>
public sealed record EhrRecord(string FacilityId, string RecordId, string Mpi, string Kind, DateOnly Date, string Summary, Resource Fhir)
{
    /// <summary>The ledger's date form of <see cref="Date"/> (yyyy-MM-dd).</summary>
    public string DateText => Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The content hash the ledger anchors: see <see cref="RecordHash"/>.</summary>
    public string Hash => RecordHash.Of(Fhir);
}

public enum EhrReadStatus
{
    Found,
    /// <summary>The store answered and has no such record (deleted, or never there).</summary>
    NotFound,
    /// <summary>The store could not be reached or read (missing file, broken schema, remote node down).</summary>
    Unavailable,
}

/// <summary>The answer of a store to "give me record X".</summary>
public sealed record EhrRead(EhrReadStatus Status, EhrRecord? Record, string? Problem)
{
    public static EhrRead Found(EhrRecord record) => new(EhrReadStatus.Found, record, null);
    public static EhrRead NotFound(string problem) => new(EhrReadStatus.NotFound, null, problem);
    public static EhrRead Unavailable(string problem) => new(EhrReadStatus.Unavailable, null, problem);
}
