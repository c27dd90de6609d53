using HealthPortal.Features.Grants;
using System.Text.RegularExpressions;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Pseudonyms;

namespace HealthPortal.Features.Interop;

/// <summary>
/// Who is reading: a facility (its ledger id), a pseudonymous staff id, a purpose code, and the break-glass session
/// the staff member claims, if any.
/// </summary>
/// <param name="SignedAccessLogs">A caller on another node: the access logs it signed for this read (<see cref="AccessLogDrafts"/>).</param>
public sealed record InteropCaller(string Facility, string Staff, string Purpose, string? BreakGlassSession = null, IReadOnlyList<Transaction>? SignedAccessLogs = null);

/// <summary><see cref="AccessLogUnsigned"/>: the caller is on another node and must sign the access logs first (<see cref="InteropRead.AccessLogsToSign"/>).</summary>
public enum InteropReadStatus { Ok, Invalid, UnknownFacility, FacilityNotApproved, UnknownPatient, UnknownRecord, NoBasis, LogFailed, AccessLogUnsigned }

public enum AccessBasis { Own, Grant, BreakGlass }

/// <summary>A record returned to the caller: the anchor, what its holder served and whether it matches, and why it may be read.</summary>
public sealed record SharedRecord(VerifiedRecord Verified, AccessBasis Basis, string? GrantId, string? AccessTx)
{
    public RecordEntry Anchor => Verified.Anchor;
}

/// <param name="Basis">What allowed reading other facilities' records: "grant", "break-glass" or "none" (own records only).</param>
public sealed record InteropRead(InteropReadStatus Status, IReadOnlyList<SharedRecord> Records, string? Message, string? BreakGlassSession = null, string Basis = "none",
    IReadOnlyList<Transaction>? AccessLogsToSign = null)
{
    public bool IsOk => Status == InteropReadStatus.Ok;
    public static InteropRead Fail(InteropReadStatus status, string message) => new(status, [], message);
}

/// <summary>
/// The read policy and the one read path for records of other facilities (the interop API and the portal's own
/// panel both end here). A record of another facility is returned only under an active grant of its patient to the
/// caller's facility that covers its kind at this moment, or under an active break-glass session; every such read is
/// written to the ledger as <c>access.log</c>, and only after that commits is anything fetched or returned (fail
/// closed). Nothing is cached between calls: each call reads the ledger state as it is now.
/// </summary>
public sealed partial class InteropReader(
    LedgerHost ledger, ActiveGrants activeGrants, FacilityNodeKeys keys, IRecordFetcher fetcher, BreakGlassSessions breakGlass, TimeProvider clock, ILogger<InteropReader> logger,
    HealthPortal.Features.Operations.PortalMetrics metrics, HealthPortal.Features.Consortium.NodeDirectory? directory = null)
{
    private readonly RecordVerifier _verifier = new(fetcher);
    private readonly TransactionFactory _tx = new(clock);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")] public static partial Regex PurposePattern();
    /// <summary>
    /// <c>HP-Staff</c> is asserted by the calling facility, and this node cannot check who is behind it; it can refuse
    /// anything that is not a pseudonym as nodes make them (<see cref="StaffPseudonyms.Of"/>: "st-" and a base64url
    /// HMAC-SHA256), so a caller cannot put a name, an e-mail address or an invented id on the ledger as a staff id.
    /// </summary>
    [GeneratedRegex("^st-[A-Za-z0-9_-]{43}$")] public static partial Regex StaffPattern();
    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")] public static partial Regex IdPattern();
    [GeneratedRegex("^bg-[a-z0-9]{8,40}$")] public static partial Regex SessionPattern();

    /// <summary>Every record of the patient the caller may read (its own, and other facilities' under a grant or break-glass).</summary>
    /// <remarks>
    /// In a consortium a node answers only for the records of the facilities it hosts: another node's records are read
    /// from that node (which checks the grant on its replica and logs the access there), so this node neither logs an
    /// access it did not serve nor returns them. Embedded, every facility is hosted here, as before.
    /// </remarks>
    public async Task<InteropRead> EverythingAsync(InteropCaller caller, string mpi, CancellationToken ct = default)
    {
        var engine = ledger.Engine;
        // After a merge (patient.merge) a retired number stands for its survivor, and the person's records are those of
        // every number merged into it; after a split the retired number's records are its own again (docs/mpi.md).
        mpi = engine.Reader.Survivor(mpi);
        // A record its facility retracted is shared with no one (it may be another patient's): left out, never logged as read.
        IReadOnlyList<RecordEntry> Standing()
        {
            var retracted = engine.Reader.RetractionsOfPerson(mpi);
            return [.. engine.Reader.RecordsOfPerson(mpi).Where(a => !retracted.ContainsKey((a.Facility, a.RecordId)))];
        }
        if (directory is not { IsConsortium: true }) return await ReadAsync(caller, mpi, Standing, single: false, ct);
        var hosted = await keys.HostedAsync(ct);
        return await ReadAsync(caller, mpi, () => [.. Standing().Where(a => hosted.Contains(a.Facility))], single: false, ct);
    }

    /// <summary>One anchored record, under the same policy.</summary>
    public Task<InteropRead> RecordAsync(InteropCaller caller, string facility, string recordId, CancellationToken ct = default)
    {
        var anchor = ledger.Reader.Record(facility, recordId);
        if (anchor is null) return Task.FromResult(InteropRead.Fail(InteropReadStatus.UnknownRecord, "no such record is anchored on the ledger"));
        if (ledger.Reader.Retraction(facility, recordId) is not null)
            return Task.FromResult(InteropRead.Fail(InteropReadStatus.UnknownRecord, "this record was retracted by its facility and is not shared"));
        // A record anchored under a number merged since is its survivor's: read and logged under that number (the ledger refuses a log naming a retired one).
        return directory is { IsConsortium: true } ? HostedRecordAsync(caller, anchor, ct) : ReadAsync(caller, ledger.Reader.Survivor(anchor.Mpi), () => [anchor], single: true, ct);
    }

    private async Task<InteropRead> HostedRecordAsync(InteropCaller caller, RecordEntry anchor, CancellationToken ct) =>
        (await keys.HostedAsync(ct)).Contains(anchor.Facility)
            ? await ReadAsync(caller, ledger.Reader.Survivor(anchor.Mpi), () => [anchor], single: true, ct)
            : InteropRead.Fail(InteropReadStatus.UnknownRecord, "this record is held by another node: read it there");

    private async Task<InteropRead> ReadAsync(InteropCaller caller, string mpi, Func<IReadOnlyList<RecordEntry>> anchorsOf, bool single, CancellationToken ct)
    {
        metrics.InteropRequest();
        // The purpose goes on the ledger in access.log: only a code of its closed set (a pattern alone would let a caller
        // write "aung-aung-1980" there), refused here rather than by the ledger after the decision to read.
        if (!IdPattern().IsMatch(caller.Facility) || !StaffPattern().IsMatch(caller.Staff) || !Purposes.IsValid(caller.Purpose)
            || (caller.BreakGlassSession is { } s && !SessionPattern().IsMatch(s)))
            return Deny(caller, mpi, null, InteropReadStatus.Invalid, "the caller's facility, staff id, purpose or break-glass session is malformed");

        var state = ledger.Reader;
        var node = state.Node(caller.Facility);
        if (node is null) return Deny(caller, mpi, null, InteropReadStatus.UnknownFacility, "the facility is not on the ledger");
        if (node.Status != NodeStatus.Approved) return Deny(caller, mpi, null, InteropReadStatus.FacilityNotApproved, $"the facility is {node.Status.ToString().ToLowerInvariant()} on the ledger");
        if (state.Patient(mpi) is null) return Deny(caller, mpi, null, InteropReadStatus.UnknownPatient, "no patient with this MPI number is registered");

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // The same rule (and order: newest grant first) the patient's Sharing page shows.
        // A retired number's grants count only when its merge carried them (its holder co-signed), as the ledger's access-log rule has it.
        var grants = state.NumbersOf(mpi).Where(n => n == mpi || state.KeysCarriedTo(n, mpi))
            .SelectMany(n => activeGrants.ActiveAt(n, now)).Where(g => g.Facility == caller.Facility).OrderByDescending(g => g.IssuedHeight).ToList();
        BreakGlassSession? session = null;
        if (caller.BreakGlassSession is { } claimed)
        {
            session = await breakGlass.ActiveAsync(caller.Facility, caller.Staff, mpi, now, ct);
            if (session?.Id != claimed) session = null;
        }

        // One decision per anchor: own, under which grant, under break-glass, or withheld.
        var decisions = anchorsOf().Select(anchor => anchor.Facility == caller.Facility ? (Anchor: anchor, Basis: (AccessBasis?)AccessBasis.Own, Grant: (string?)null)
            : grants.FirstOrDefault(g => g.Covers(anchor.Category)) is { } grant ? (anchor, AccessBasis.Grant, grant.Id)
            : session is not null ? (anchor, AccessBasis.BreakGlass, null)
            : (anchor, null, null)).ToList();
        var withheld = decisions.Where(d => d.Basis is null).Select(d => d.Anchor).ToList();

        var hasBasis = grants.Count > 0 || session is not null;
        if (single && withheld.Count > 0)
            return Deny(caller, mpi, withheld, InteropReadStatus.NoBasis, grants.Count > 0
                ? "the patient's grant to this facility does not cover this kind of record"
                : "no active grant of this patient to this facility, and no emergency session");
        if (!single && !hasBasis && decisions.All(d => d.Basis != AccessBasis.Own))
            return Deny(caller, mpi, withheld, InteropReadStatus.NoBasis, "no active grant of this patient to this facility, and no emergency session");
        // The rest is returned; what is held back is still a denial, and is logged as one.
        if (withheld.Count > 0) LogDenial(caller, mpi, withheld, InteropReadStatus.NoBasis, "not covered by any active grant of this patient to this facility");

        // Log first and wait for the commit; fetch and return only after every log of this read is on the ledger.
        // One access.log per basis: a log names exactly one grant or one break-glass reason.
        var accessTx = new Dictionary<RecordEntry, string>();
        var groups = decisions.Where(d => d.Basis is AccessBasis.Grant or AccessBasis.BreakGlass).GroupBy(d => d.Grant).ToList();
        if (groups.Count > 0)
        {
            var key = await keys.FindAsync(caller.Facility, ct);
            var drafts = groups.Select(group => _tx.AccessLog(caller.Facility, caller.Staff, mpi, group.Select(d => d.Anchor.Facility + "/" + d.Anchor.RecordId), group.Key,
                group.Key is null ? session!.LedgerBasis : null, caller.Purpose)).ToList();
            List<Transaction> logs;
            if (key is not null) logs = [.. drafts.Select(d => d.SignWith(key))];
            else if (directory is { IsConsortium: true })
            {
                // The caller's facility is served by another node, which alone holds its key: it signs its own logs, and
                // they must be exactly this decision (else it is asked again, with the drafts of the state as it is now).
                var signed = caller.SignedAccessLogs;
                if (signed is null || signed.Count != drafts.Count || !drafts.Zip(signed).All(p => AccessLogDrafts.SameAccess(p.First, p.Second)))
                    return new InteropRead(InteropReadStatus.AccessLogUnsigned, [], "sign the access logs of this read with the facility's key and ask again",
                        AccessLogsToSign: drafts);
                logs = [.. signed];
            }
            else return LogFailed(caller, mpi, "this node does not hold the facility's node key to sign the access log");
            foreach (var (group, tx) in groups.Zip(logs))
            {
                var records = group.Select(d => d.Anchor).ToList();
                var result = await ledger.Engine.SubmitAsync(tx, ct);
                if (!result.IsCommitted) return LogFailed(caller, mpi, $"the ledger refused the access log: {result}");
                foreach (var r in records) accessTx[r] = tx.IdText;
                if (group.Key is null) await breakGlass.RecordAccessAsync(session!.Id, tx.IdText, now, ct);
            }
        }

        // Fetched and checked now, after the logs committed: each facility's records in batches over one opening of its store.
        var served = decisions.Where(d => d.Basis is not null).ToList();
        var verified = await _verifier.VerifyManyAsync([.. served.Select(d => d.Anchor)], ct);
        var shared = served.Select((d, i) => new SharedRecord(verified[i], d.Basis!.Value, d.Grant, accessTx.GetValueOrDefault(d.Anchor))).ToList();
        if (accessTx.Count > 0)
            logger.LogInformation(InteropEvents.ReadGranted, "Interop read: facility {Facility} staff {Staff} patient {Mpi} records {Records} access logs {Txs}",
                caller.Facility, caller.Staff, mpi, accessTx.Count, string.Join(' ', accessTx.Values.Distinct()));
        return new InteropRead(InteropReadStatus.Ok, shared, null, session?.Id, grants.Count > 0 ? "grant" : session is not null ? "break-glass" : "none");
    }

    private InteropRead Deny(InteropCaller caller, string mpi, IReadOnlyList<RecordEntry>? records, InteropReadStatus status, string message)
    {
        LogDenial(caller, mpi, records, status, message);
        return InteropRead.Fail(status, message);
    }

    private void LogDenial(InteropCaller caller, string mpi, IReadOnlyList<RecordEntry>? records, InteropReadStatus status, string message)
    {
        metrics.InteropDenied(status.ToString());
        logger.LogWarning(InteropEvents.ReadDenied, "Interop read denied ({Status}): facility {Facility} staff {Staff} patient {Mpi} purpose {Purpose} records {Records}: {Reason}",
            status, caller.Facility, caller.Staff, mpi, caller.Purpose,
            records is null ? "-" : string.Join(' ', records.Select(r => r.Facility + "/" + r.RecordId)), message);
    }

    private InteropRead LogFailed(InteropCaller caller, string mpi, string message)
    {
        logger.LogError(InteropEvents.LogFailed, "Interop read refused, access log not written: facility {Facility} staff {Staff} patient {Mpi}: {Reason}",
            caller.Facility, caller.Staff, mpi, message);
        return InteropRead.Fail(InteropReadStatus.LogFailed, "the access could not be recorded on the ledger, so nothing is returned");
    }
}
