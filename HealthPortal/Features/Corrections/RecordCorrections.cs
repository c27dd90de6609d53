using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Corrections;

/// <summary>
/// Corrections of records (issue 16): a facility writes a new version of its own record, which replaces the old one
/// in its store (the old stays, linked) and, once the patient co-signs, on the ledger (<c>supersedes</c>); a patient
/// sees each record's history and may ask the facility for a correction, in words that stay in the facility's store.
/// Every call authorizes its caller per resource: the patient of the record's MPI number, or staff of its facility.
/// </summary>
public sealed class RecordCorrections(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, EhrVersions versions,
    IRecordFetcher fetcher, RecordVerifier verifier, AnchorWorkflow workflow)
{
    /// <summary>The longest request a patient may write, and the longest answer.</summary>
    public const int MaxWords = TextLimits.Sentence * 2;

    // ---- history -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Every version of the record <paramref name="recordId"/> of the facility with ledger id <paramref name="facilityNodeId"/>,
    /// oldest first, for its patient or its facility's staff. The facility's store gives the chain with reasons
    /// (rejected versions included); the ledger's supersession chain fills in when the store is on another node.
    /// </summary>
    public async Task<Result<IReadOnlyList<RecordVersionView>, CorrectionError>> HistoryAsync(ClaimsPrincipal user, string facilityNodeId, string recordId, CancellationToken ct = default)
    {
        var anchor = ledger.Reader.Record(facilityNodeId, recordId);
        var facility = await FacilityAsync(facilityNodeId, ct);
        if (anchor is null || facility is null) return Result.Fail(CorrectionError.NotFound, "No such record.");
        if (!await MayReadAsync(user, facility, anchor.Mpi)) return Result.Fail(CorrectionError.NotFound, "No such record.");

        IReadOnlyList<string> ids = (await versions.ChainAsync(facility.Id, recordId, ct)).Select(v => v.RecordId).ToList();
        var ledgerChain = ledger.Reader.History(facilityNodeId, recordId);
        // The store knows rejected versions the ledger never saw; the ledger knows the chain when the store is remote.
        if (ids.Count < ledgerChain.Count) ids = ledgerChain.Select(v => v.Record.RecordId).ToList();

        var decisions = await DecisionsAsync(facility.Id, ids, ct);
        var list = new List<RecordVersionView>();
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            var made = await versions.MadeAsync(facility.Id, id, ct);
            var read = await fetcher.FetchAsync(facilityNodeId, id, ct);
            var versionAnchor = ledger.Reader.Record(facilityNodeId, id);
            RecordIntegrity? integrity = versionAnchor is null ? null : (await verifier.VerifyAsync(versionAnchor, ct)).Integrity;
            var (status, code) = versionAnchor is not null ? (VersionStatus.Anchored, null)
                : decisions.GetValueOrDefault(id) is { } d ? d : (VersionStatus.NotAnchored, (string?)null);
            list.Add(new RecordVersionView(i + 1, id, read.Record, made, status, versionAnchor, integrity, code, i == ids.Count - 1));
        }
        return list;
    }

    /// <summary>How many versions each of these anchored records has (1 when never corrected), for the timeline's mark.</summary>
    public async Task<IReadOnlyDictionary<(string Facility, string RecordId), int>> VersionCountsAsync(IReadOnlyList<RecordEntry> anchors, CancellationToken ct = default)
    {
        var counts = new Dictionary<(string, string), int>();
        // The ledger's links of these patients, read once (new version → the one it replaced).
        var replacedBy = anchors.Select(a => a.Mpi).Distinct()
            .SelectMany(mpi => ledger.Reader.SupersessionsOf(mpi))
            .ToDictionary(s => (s.Key.Facility, s.Value), s => s.Key.RecordId);
        foreach (var byFacility in anchors.GroupBy(a => a.Facility))
        {
            var facility = await FacilityAsync(byFacility.Key, ct);
            var links = facility is null ? [] : await versions.LinksAsync(facility.Id, ct);
            foreach (var anchor in byFacility)
            {
                var stored = EhrVersions.Chain(links, anchor.RecordId).Count;
                var onLedger = 1;
                for (var id = anchor.RecordId; onLedger <= replacedBy.Count && replacedBy.TryGetValue((anchor.Facility, id), out var older); onLedger++) id = older;
                counts[(anchor.Facility, anchor.RecordId)] = Math.Max(stored, onLedger);
            }
        }
        return counts;
    }

    // ---- the staff side ----------------------------------------------------------------------------------------

    /// <summary>
    /// After the entry form saved a corrected version: links each new record to the one it replaces in the store,
    /// then sends the save for the patient's co-signature, each anchor naming the anchored record it replaces. An open
    /// request on the corrected record is answered by it.
    /// </summary>
    public async Task<Result<CorrectionSent, CorrectionError>> SendCorrectionAsync(ClaimsPrincipal staff, string facilityId, string mpi, EhrCorrectionSaved saved, CancellationToken ct = default)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return Result.Fail(CorrectionError.Forbidden, "You may not correct this facility's records.");
        var pairs = EhrCorrections.Pair(saved.Records, saved.Replaced);
        if (pairs.Any(p => p.Old.Mpi != mpi || p.Old.FacilityId != facilityId))
            return Result.Fail(CorrectionError.Forbidden, "A replaced record is of another patient or facility.");
        var author = staff.Identity?.Name ?? "unknown staff";
        var linked = await versions.LinkAsync(facilityId, [.. pairs.Select(p => (p.New.RecordId, p.Old.RecordId))], saved.Reason, author, ct);
        if (!linked.IsOk)
            return Result.Fail(linked.Error == EhrError.AlreadyCorrected ? CorrectionError.AlreadyCorrected : CorrectionError.NoStore, linked.Message!);

        var replacedRecord = pairs.FirstOrDefault(p => p.Old.RecordId == saved.CorrectionOf).New?.RecordId ?? saved.Records[0].RecordId;
        foreach (var request in (await versions.RequestsAsync(facilityId, mpi, ct)).Where(r => r.Status == CorrectionRequestStatus.Open && pairs.Any(p => p.Old.RecordId == r.RecordId)))
            await versions.CloseRequestAsync(facilityId, request.Id, CorrectionRequestStatus.Corrected, saved.Reason, author, replacedRecord, ct);

        var prepared = await workflow.PrepareAsync(staff, facilityId, mpi, saved.Records, pairs.ToDictionary(p => p.New.RecordId, p => p.Old.RecordId));
        if (!prepared.Succeeded) return Result.Fail(CorrectionError.NotSent, prepared.Error ?? "The correction was saved but not sent for confirmation.");
        return new CorrectionSent(prepared.Confirmation!, pairs.Count);
    }

    /// <summary>The correction requests at the caller's facility: of one patient, or of all (null), newest first.</summary>
    public async Task<IReadOnlyList<CorrectionRequestView>> RequestsForStaffAsync(ClaimsPrincipal staff, string facilityId, string? mpi, bool openOnly, CancellationToken ct = default)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return [];
        var requests = await versions.RequestsAsync(facilityId, mpi, ct);
        var list = new List<CorrectionRequestView>();
        foreach (var r in requests.Where(r => !openOnly || r.Status == CorrectionRequestStatus.Open))
        {
            var read = await fetcher.FetchAsync(facilityId, r.RecordId, ct);
            list.Add(new CorrectionRequestView(r, facilityId, read.Record?.Summary, read.Record?.Kind));
        }
        return list;
    }

    /// <summary>Declines an open request with a reason the patient reads on the record's page.</summary>
    public async Task<Result<bool, CorrectionError>> DeclineAsync(ClaimsPrincipal staff, string facilityId, string requestId, string? reason, CancellationToken ct = default)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return Result.Fail(CorrectionError.Forbidden, "You may not answer this facility's requests.");
        var e = new FieldErrors();
        var words = e.Required("Answer", reason, "Reason for declining", MaxWords, multiline: true);
        if (e.Any) return Result.Invalid(CorrectionError.Invalid, e.List);
        if (!(await versions.RequestsAsync(facilityId, null, ct)).Any(r => r.Id == requestId)) return Result.Fail(CorrectionError.NotFound, "No such request.");
        return await versions.CloseRequestAsync(facilityId, requestId, CorrectionRequestStatus.Declined, words, staff.Identity?.Name ?? "unknown staff", null, ct)
            ? true
            : Result.Fail(CorrectionError.Closed, "This request was answered already.");
    }

    // ---- the patient side --------------------------------------------------------------------------------------

    /// <summary>The patient asks the facility that wrote <paramref name="anchor"/> to correct it; the words stay in that facility's store.</summary>
    public async Task<Result<EhrCorrectionRequest, CorrectionError>> AskAsync(ClaimsPrincipal patient, RecordEntry anchor, string? words, CancellationToken ct = default)
    {
        if (!await IsPatientOfAsync(patient, anchor.Mpi)) return Result.Fail(CorrectionError.NotFound, "No such record.");
        var e = new FieldErrors();
        var text = e.Required("Words", words, "What should be corrected", MaxWords, multiline: true);
        if (e.Any) return Result.Invalid(CorrectionError.Invalid, e.List);
        if (await FacilityAsync(anchor.Facility, ct) is not { } facility)
            return Result.Fail(CorrectionError.NoStore, "This facility's records are kept at another organisation's node; ask them directly.");
        if (ledger.Reader.SupersededBy(anchor.Facility, anchor.RecordId) is not null)
            return Result.Fail(CorrectionError.AlreadyCorrected, "This version was already corrected: ask about the newest version.");
        var added = await versions.AddRequestAsync(facility.Id, anchor.RecordId, anchor.Mpi, text, ct);
        return added.IsOk ? added.Value! : Result.Fail(CorrectionError.NoStore, added.Message!);
    }

    /// <summary>The patient's requests about any version of this record, newest first, with the facility's answers.</summary>
    public async Task<IReadOnlyList<EhrCorrectionRequest>> RequestsForPatientAsync(ClaimsPrincipal patient, RecordEntry anchor, CancellationToken ct = default)
    {
        if (!await IsPatientOfAsync(patient, anchor.Mpi) || await FacilityAsync(anchor.Facility, ct) is not { } facility) return [];
        var ids = (await versions.ChainAsync(facility.Id, anchor.RecordId, ct)).Select(v => v.RecordId).ToHashSet(StringComparer.Ordinal);
        return [.. (await versions.RequestsAsync(facility.Id, anchor.Mpi, ct)).Where(r => ids.Contains(r.RecordId))];
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /// <summary>The facility hosted on this node with this ledger id (or portal id), or null.</summary>
    private async Task<Facilities.HealthFacility?> FacilityAsync(string id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.NodeKeyId == id || f.Id == id, ct);
    }

    /// <summary>For versions never anchored: the patient's decision on them in the anchoring workflow (rejected, waiting).</summary>
    private async Task<Dictionary<string, (VersionStatus, string?)>> DecisionsAsync(string facilityId, IReadOnlyList<string> ids, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (from r in db.Set<AnchorConfirmationRecord>()
                          join c in db.AnchorConfirmations on r.ConfirmationId equals c.Id
                          where c.FacilityId == facilityId && ids.Contains(r.RecordId)
                          select new { r.RecordId, r.Decision, r.RejectCode, c.Status }).ToListAsync(ct);
        var map = new Dictionary<string, (VersionStatus, string?)>(StringComparer.Ordinal);
        foreach (var row in rows)
            map[row.RecordId] = row.Decision == RecordDecision.Rejected || row.Status == AnchorStatus.Rejected ? (VersionStatus.Rejected, (string?)row.RejectCode)
                : row.Status == AnchorStatus.Pending ? (VersionStatus.Waiting, (string?)null)
                : (VersionStatus.NotAnchored, (string?)null);
        return map;
    }

    private async Task<bool> MayReadAsync(ClaimsPrincipal user, Facilities.HealthFacility facility, string mpi) =>
        await IsPatientOfAsync(user, mpi) || await IsStaffOfAsync(user, facility.Id);

    private async Task<bool> IsPatientOfAsync(ClaimsPrincipal user, string mpi) =>
        (await authorization.AuthorizeAsync(user, new PatientScope(mpi), PortalPolicies.PatientOfMpi)).Succeeded;

    private async Task<bool> IsStaffOfAsync(ClaimsPrincipal user, string facilityId) =>
        (await authorization.AuthorizeAsync(user, new FacilityScope(facilityId), PortalPolicies.FacilityPortal)).Succeeded;
}
