using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// What a share-link viewer may learn about a record's anchor: public ledger metadata only (block, time, the
/// facility's node name as registered on the ledger, whether a later anchor replaced it) and whether the hash the
/// viewer computed from the decrypted record is the anchored one. No MPI number, no kind or date: a viewer that only
/// guesses transaction ids learns nothing about a patient.
/// </summary>
public sealed record AnchorStatusView(string TxId, bool Anchored, long? Block, DateTimeOffset? AnchoredAt, string? Facility, string Verdict, string Explanation);

public sealed class AnchorStatus(LedgerHost ledger)
{
    public const string Verified = "verified";
    public const string Differs = "differs";
    public const string Superseded = "superseded";
    public const string Unknown = "unknown";

    public AnchorStatusView Check(string txId, string? hash)
    {
        var engine = ledger.Engine;
        if (engine.GetReceipt(txId) is not { } receipt || receipt.Transaction.Type != TxType.RecordAnchor
            || PayloadParser.Parse(receipt.Transaction) is not { IsSuccess: true, Value: RecordAnchorPayload payload })
            return new(txId, false, null, null, null, Unknown, "No record anchor on the ledger has this id.");
        var current = engine.Reader.Record(payload.Facility, payload.Record);
        var entry = current is not null && current.TxId == txId ? current : null;
        var facility = engine.Reader.Node(payload.Facility)?.Name;
        var block = receipt.Height;
        DateTimeOffset? at = entry is not null ? DateTimeOffset.FromUnixTimeMilliseconds(entry.Timestamp) : null;
        if (entry is null)
            return new(txId, true, block, at, facility, Superseded, "The facility anchored a newer version of this record (a correction): ask the patient for a new link.");
        return string.Equals(hash, payload.Hash, StringComparison.Ordinal)
            ? new(txId, true, block, at, facility, Verified, "The content is exactly what the facility anchored on the ledger.")
            : new(txId, true, block, at, facility, Differs, "The content does not match the hash the facility anchored: it was changed after anchoring.");
    }
}
