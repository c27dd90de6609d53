using HealthPortal.Features.Ehr;
using HealthPortal.Features.Records;

namespace HealthPortal.Features.Anchoring;

/// <summary>The earlier version a record of a confirmation replaces, for the patient's review: its content, why it was corrected, and what changed.</summary>
public sealed record ReplacedVersion(string RecordId, string? Date, string? Reason, Hl7.Fhir.Model.Resource? Old, IReadOnlyList<RecordChange> Changes);

/// <summary>
/// For a confirmation the caller was already allowed to see (<see cref="AnchorWorkflow.ForPatientAsync"/>), the
/// versions its records replace: named by the anchor's <c>supersedes</c> when the old version is anchored, else by the
/// facility store's version link (a version the patient rejected). The old content comes from the facility's store,
/// and must be of the same patient.
/// </summary>
public sealed class ReplacedVersions(IRecordFetcher fetcher, EhrVersions versions)
{
    public async Task<IReadOnlyDictionary<string, ReplacedVersion>> OfAsync(AnchorConfirmationView confirmation, IReadOnlyList<RecordContent>? contents, CancellationToken ct = default)
    {
        var result = new Dictionary<string, ReplacedVersion>(StringComparer.Ordinal);
        foreach (var record in confirmation.Records)
        {
            var link = await versions.MadeAsync(confirmation.FacilityId, record.RecordId, ct);
            if ((record.Supersedes ?? link?.Supersedes) is not { } oldId) continue;
            var read = await fetcher.FetchAsync(confirmation.FacilityId, oldId, ct);
            var old = read.Record is { } r && r.Mpi == confirmation.Mpi ? r : null;
            var now = contents?.FirstOrDefault(c => c.RecordId == record.RecordId)?.Fhir;
            var changes = old is not null && now is not null ? RecordDiff.Of(old.Fhir, now) : [];
            result[record.RecordId] = new ReplacedVersion(oldId, old?.DateText, link?.Reason, old?.Fhir, changes);
        }
        return result;
    }
}
