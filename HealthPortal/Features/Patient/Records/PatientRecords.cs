using HealthPortal.Features.Auth;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Patient.Records;

public enum RecordLookup
{
    Found,
    /// <summary>No such transaction, or it is not a record anchor.</summary>
    NotFound,
    /// <summary>A record anchor of another patient.</summary>
    Forbidden,
}

/// <summary>One record anchor asked for by transaction id, with its receipt, when the caller may see it.</summary>
public sealed record AnchorLookup(RecordLookup Status, RecordEntry? Anchor, Receipt? Receipt)
{
    public static readonly AnchorLookup NotFound = new(RecordLookup.NotFound, null, null);
    public static readonly AnchorLookup Forbidden = new(RecordLookup.Forbidden, null, null);
}

/// <summary>
/// The calling patient's own records: every record the ledger anchors for their MPI number, fetched from the
/// facility that holds it and checked against the anchored hash. Only the caller's records are ever read: the
/// timeline starts from the caller's MPI number, and a record asked for by id is authorized per record.
/// </summary>
public sealed class PatientRecords(
    LedgerHost ledger, RecordVerifier verifier, PatientProfiles profiles, IAuthorizationService authorization,
    IDbContextFactory<ApplicationDbContext> dbFactory)
{
    // Records come from several facility stores (remote ones over the interop API later): fetch a few at a time.
    private const int ParallelFetches = 4;

    public async Task<PatientTimeline> TimelineAsync(ClaimsPrincipal patient, CancellationToken ct = default)
    {
        if ((await profiles.MineAsync(patient))?.MpiNumber is not { } mpi) return PatientTimeline.NotRegistered;

        var anchors = ledger.Engine.Store.RecordsOf(mpi);
        var verified = new VerifiedRecord[anchors.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, anchors.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelFetches, CancellationToken = ct },
            async (i, token) => verified[i] = await verifier.VerifyAsync(anchors[i], token));

        var names = await FacilityNamesAsync(anchors.Select(a => a.Facility), ct);
        var entries = verified
            .Select(v => new TimelineEntry(v, names[v.Anchor.Facility]))
            .OrderByDescending(e => e.Date).ThenByDescending(e => e.Anchor.Height).ThenByDescending(e => e.Anchor.Index)
            .ToList();
        return new PatientTimeline(mpi, entries);
    }

    /// <summary>
    /// The record anchored by transaction <paramref name="txId"/> with its receipt, if it is a record anchor of the
    /// caller's MPI number (decided by <see cref="PortalPolicies.PatientOfMpi"/> on the anchor's MPI).
    /// </summary>
    public async Task<AnchorLookup> AnchorAsync(ClaimsPrincipal patient, string txId)
    {
        var engine = ledger.Engine;
        if (engine.GetReceipt(txId) is not { } receipt || receipt.Transaction.Type != TxType.RecordAnchor) return AnchorLookup.NotFound;
        if (PayloadParser.Parse(receipt.Transaction) is not { IsSuccess: true, Value: RecordAnchorPayload payload }) return AnchorLookup.NotFound;

        var allowed = await authorization.AuthorizeAsync(patient, new PatientScope(payload.Mpi), PortalPolicies.PatientOfMpi);
        if (!allowed.Succeeded) return AnchorLookup.Forbidden;

        return engine.Store.ReadRecord(payload.Facility, payload.Record) is { } anchor && anchor.TxId == receipt.TransactionId
            ? new AnchorLookup(RecordLookup.Found, anchor, receipt)
            : AnchorLookup.NotFound;
    }

    /// <summary>One of the caller's records, verified now; null when it is not theirs or not a record.</summary>
    public async Task<TimelineEntry?> OneAsync(ClaimsPrincipal patient, string txId, CancellationToken ct = default)
    {
        var lookup = await AnchorAsync(patient, txId);
        if (lookup.Status != RecordLookup.Found) return null;
        var verified = await verifier.VerifyAsync(lookup.Anchor!, ct);
        var names = await FacilityNamesAsync([lookup.Anchor!.Facility], ct);
        return new TimelineEntry(verified, names[lookup.Anchor.Facility]);
    }

    /// <summary>
    /// Facility names from the portal's registry by ledger node id, then from the ledger's node registry; the node
    /// id's start when neither knows it (a record keeps its place on the timeline even then).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> FacilityNamesAsync(IEnumerable<string> nodeIds, CancellationToken ct)
    {
        var ids = nodeIds.Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var registry = await db.Facilities.AsNoTracking()
            .Where(f => f.NodeKeyId != null && ids.Contains(f.NodeKeyId))
            .Select(f => new { f.NodeKeyId, f.Name })
            .ToListAsync(ct);
        var state = ledger.Engine.State;
        return ids.ToDictionary(id => id, id =>
            registry.FirstOrDefault(f => f.NodeKeyId == id)?.Name
            ?? state.Node(id)?.Name
            ?? id[..Math.Min(8, id.Length)] + "…");
    }
}
