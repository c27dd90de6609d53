using HealthPortal.Features.Facilities;

namespace HealthPortal.Features.Records;

/// <summary>
/// A facility's EHR store seen from the format-independent side: whatever its native schema (hospital, clinic,
/// laboratory), it can serve any of its records in FHIR form. The interop layer reads through this; the native
/// forms write through their own format-specific services. Stores know nothing of the ledger.
/// </summary>
public interface IEhrStore
{
    string FacilityId { get; }

    FacilityKind Kind { get; }

    /// <summary>One record by its id (as anchored). Never throws for a missing or unreadable store: returns Unavailable.</summary>
    Task<EhrRead> ReadAsync(string recordId, CancellationToken ct = default);

    /// <summary>
    /// Several records, in the order asked, each answered as <see cref="ReadAsync"/> would answer it. A store that can
    /// should read them over one opening of its file (a timeline or <c>$everything</c> reads hundreds at once); by
    /// default it reads them one by one.
    /// </summary>
    async Task<IReadOnlyList<EhrRead>> ReadManyAsync(IReadOnlyList<string> recordIds, CancellationToken ct = default)
    {
        var reads = new EhrRead[recordIds.Count];
        for (var i = 0; i < reads.Length; i++) reads[i] = await ReadAsync(recordIds[i], ct);
        return reads;
    }

    /// <summary>Every record this store holds for the patient with MPI number <paramref name="mpi"/>, newest first.</summary>
    Task<IReadOnlyList<EhrRecord>> RecordsOfAsync(string mpi, CancellationToken ct = default);

    /// <summary>The MPI numbers of every patient this store holds records of (the facility's own patients, for the staff search).</summary>
    Task<IReadOnlyList<string>> PatientMpisAsync(CancellationToken ct = default);
}
