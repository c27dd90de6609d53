using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Keys;
using HealthPortal.Features.ActingFor;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// Flow 3 of the design: a facility's save becomes <c>record.anchor</c> transactions that the facility node signs at
/// once (<see cref="PrepareAsync"/>) and the patient co-signs in their browser (<see cref="ConfirmAsync"/>), or
/// refuses with a reason (<see cref="RejectAsync"/>). Every call authorizes its caller against the confirmation
/// itself: only staff of its facility see it, only the patient whose MPI number it carries may decide.
/// The ledger is the truth about what is anchored: reads reconcile a pending confirmation whose anchors are already
/// in blocks, so a crash between commit and the database update heals itself.
/// </summary>
public sealed class AnchorWorkflow(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, AnchorEvents events,
    TimeProvider clock, ILogger<AnchorWorkflow> logger, Microsoft.Extensions.Options.IOptions<AnchoringOptions>? options = null,
    CosignRelay? relay = null, RemoteConfirmations? remote = null, IRecordFetcher? records = null, AnchorReminders? reminders = null,
    DelegateAccess? delegates = null)
{
    /// <summary>Shown to staff (and kept on the save) while the patient's node on another machine has not taken it yet.</summary>
    public const string NotYetDelivered = "The patient's account is on another node, which has not received this yet; the portal keeps trying.";

    /// <summary>
    /// The ledger refuses a transaction whose timestamp is more than its skew window (5 minutes by default) from the
    /// block's time, but a patient may confirm hours later. Anchors older than this are re-made with a fresh
    /// timestamp and nonce (same content: patient, facility, record, kind, date, hash, link) and re-signed by the
    /// facility node just before the patient signs.
    /// </summary>
    public TimeSpan FreshFor { get; } = (options?.Value ?? new()).FreshFor;

    public const int MaxReasonLength = 500;

    /// <summary>A reminder is not mailed again within this time (a double click, two staff at once).</summary>
    public static readonly TimeSpan ReminderInterval = TimeSpan.FromMinutes(2);

    // Confirm, reject and refresh of one confirmation must not interleave (a double click, two open tabs); different
    // confirmations go side by side (issue 17: one static semaphore made every patient on the node wait for every other).
    // Static because the workflow is scoped: two circuits on the same confirmation hold two instances.
    private static readonly KeyedLock Gate = new();

    private readonly TransactionFactory _tx = new(clock);

    // ---- staff ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Prepares one save for the patient's confirmation: checks the records belong to this facility and patient,
    /// has the facility node sign one <c>record.anchor</c> per record and stores them as one pending confirmation.
    /// </summary>
    /// <param name="supersedes">
    /// For a correction: new record id → the id of this facility's record it replaces. The anchor names the old one
    /// (<c>supersedes</c>) when the old one is anchored; a version the patient rejected was never anchored, so its
    /// correction is an ordinary anchor (the facility's store keeps the link).
    /// </param>
    public async Task<PrepareOutcome> PrepareAsync(ClaimsPrincipal staff, string facilityId, string mpi, IReadOnlyList<EhrRecord> records,
        IReadOnlyDictionary<string, string>? supersedes = null)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return PrepareFail(AnchorError.Forbidden, "You may not record for this facility.");
        return await PrepareCheckedAsync(facilityId, mpi, records, staff.FindFirstValue(ClaimTypes.NameIdentifier)!, supersedes);
    }

    /// <summary>
    /// As <see cref="PrepareAsync"/> for records a facility's own system pushed (issue 17, <c>POST /fhir/r4</c>): the
    /// caller has already authenticated that system as an API client of <paramref name="facilityId"/>, whose id is kept
    /// where a staff member's would be.
    /// </summary>
    public Task<PrepareOutcome> PrepareFromFacilitySystemAsync(string facilityId, string apiClientId, string mpi, IReadOnlyList<EhrRecord> records) =>
        PrepareCheckedAsync(facilityId, mpi, records, SystemPrefix + apiClientId);

    /// <summary>Marks a confirmation's <c>StaffUserId</c> as an API client's id, not an account's.</summary>
    public const string SystemPrefix = "api-client:";

    private async Task<PrepareOutcome> PrepareCheckedAsync(string facilityId, string mpi, IReadOnlyList<EhrRecord> records, string staffUserId,
        IReadOnlyDictionary<string, string>? supersedes = null)
    {
        if (!MpiNumber.TryParse(mpi, out mpi, out var mpiError)) return PrepareFail(AnchorError.Invalid, mpiError);
        if (records.Count == 0) return PrepareFail(AnchorError.Invalid, "The save created no records.");
        if (ledger.Reader.Patient(mpi) is null) return PrepareFail(AnchorError.UnknownPatient, $"MPI number {mpi} is not registered on the network.");

        await using var db = await dbFactory.CreateDbContextAsync();
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == facilityId);
        if (facility is null || NodeKeyOf(facility) is not { } nodeKey)
            return PrepareFail(AnchorError.FacilityNotOnLedger, "This facility has no approved node key on the ledger, so it cannot anchor records yet.");

        foreach (var record in records)
        {
            if (record.FacilityId != facilityId) return PrepareFail(AnchorError.Invalid, $"Record {record.RecordId} belongs to another facility.");
            if (record.Mpi != mpi) return PrepareFail(AnchorError.Invalid, $"Record {record.RecordId} is of another patient.");
            if (!RecordKinds.IsKnown(record.Kind)) return PrepareFail(AnchorError.Invalid, $"Record {record.RecordId} has an unknown kind '{record.Kind}'.");
        }
        if (records.Select(r => r.RecordId).Distinct(StringComparer.Ordinal).Count() != records.Count)
            return PrepareFail(AnchorError.Invalid, "The save lists a record twice.");
        var ids = records.Select(r => r.RecordId).ToList();
        foreach (var id in ids)
        {
            if (ledger.Reader.Record(nodeKey.Id, id) is not null) return PrepareFail(AnchorError.DuplicateRecord, $"Record {id} is already anchored.");
        }
        var waiting = await (from r in db.Set<AnchorConfirmationRecord>()
                             join c in db.AnchorConfirmations on r.ConfirmationId equals c.Id
                             where c.FacilityId == facilityId && c.Status == AnchorStatus.Pending && ids.Contains(r.RecordId)
                             select r.RecordId).FirstOrDefaultAsync();
        if (waiting is not null) return PrepareFail(AnchorError.DuplicateRecord, $"Record {waiting} is already waiting for the patient's confirmation.");

        var confirmation = new AnchorConfirmation
        {
            FacilityId = facilityId,
            Mpi = mpi,
            StaffUserId = staffUserId,
            CreatedAt = clock.GetUtcNow(),
        };
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            string hash, json;
            try
            {
                // Hashed from the very text kept for the patient's review, so what they read is what they sign.
                (json, hash) = RecordHash.JsonAndHashOf(record.Fhir);
            }
            catch (FormatException e)
            {
                return PrepareFail(AnchorError.Invalid, $"Record {record.RecordId} cannot be hashed: {e.Message}");
            }
            var row = new AnchorConfirmationRecord
            {
                Position = i, RecordId = record.RecordId, Kind = record.Kind, Date = record.DateText, Hash = hash, FhirJson = json,
                Summary = record.Summary.Length > 500 ? record.Summary[..500] : record.Summary,
            };
            string? replaces = null;
            if (supersedes?.GetValueOrDefault(record.RecordId) is { } old && ledger.Reader.Record(nodeKey.Id, old) is not null)
            {
                if (ledger.Reader.SupersededBy(nodeKey.Id, old) is { } newer)
                    return PrepareFail(AnchorError.Invalid, $"Record {old} was already corrected by {newer}; correct that version instead.");
                replaces = $"{nodeKey.Id}/{old}";
            }
            var tx = _tx.RecordAnchor(mpi, nodeKey.Id, record.RecordId, record.Kind, record.DateText, hash, RecordLink.Of(record), replaces).SignWith(nodeKey);
            if (ledger.Engine.Check(tx) is { IsSuccess: false } check)
                return PrepareFail(AnchorError.Invalid, $"Record {record.RecordId} cannot be anchored: {check.Message}");
            Store(row, tx);
            confirmation.Records.Add(row);
        }
        db.AnchorConfirmations.Add(confirmation);
        await db.SaveChangesAsync();
        logger.LogInformation("Anchor confirmation {Id}: {Count} records of facility {Facility} wait for the patient", confirmation.Id, records.Count, facilityId);
        events.Raise(new AnchorChange(confirmation.Id, facilityId, mpi, AnchorStatus.Pending));
        // A patient of another node co-signs there: the save travels to their node now (or later, by the relay's retries).
        if (relay is { IsConsortium: true } && !await relay.IsLocalPatientAsync(mpi) && !await relay.OfferAsync(confirmation, nodeKey.Id, facility.Name))
        {
            confirmation.Problem = NotYetDelivered;
            await db.SaveChangesAsync();
        }
        return new PrepareOutcome(AnchorError.None, View(confirmation, facility, null), null);
    }

    /// <summary>One confirmation of the caller's facility.</summary>
    public async Task<AnchorConfirmationView?> ForFacilityAsync(ClaimsPrincipal staff, string id)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var confirmation = await LoadAsync(db, id);
        if (confirmation is null || !await IsStaffOfAsync(staff, confirmation.FacilityId)) return null;
        return await ViewAsync(db, confirmation, withPatientName: true);
    }

    /// <summary>This facility's confirmations for one patient, newest first.</summary>
    public async Task<IReadOnlyList<AnchorConfirmationView>> OfPatientAtFacilityAsync(ClaimsPrincipal staff, string facilityId, string mpi)
    {
        if (!await IsStaffOfAsync(staff, facilityId) || !MpiNumber.TryParse(mpi, out mpi, out _)) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        var list = await db.AnchorConfirmations.AsNoTracking().Include(c => c.Records).Where(c => c.FacilityId == facilityId && c.Mpi == mpi).ToListAsync();
        return await ViewsAsync(db, list, withPatientNames: false);
    }

    /// <summary>The facility dashboard's lists: saved today (local day of <paramref name="today"/>), waiting, rejected.</summary>
    public async Task<FacilityAnchorLists> FacilityListsAsync(ClaimsPrincipal staff, string facilityId, DateTimeOffset? todayStart = null)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return FacilityAnchorLists.Empty;
        var start = todayStart ?? new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        await using var db = await dbFactory.CreateDbContextAsync();
        // SQLite cannot compare DateTimeOffset columns: filter by status in the database, by time here.
        var open = await db.AnchorConfirmations.AsNoTracking().Include(c => c.Records)
            .Where(c => c.FacilityId == facilityId && c.Status != AnchorStatus.Anchored && c.Status != AnchorStatus.Withdrawn).ToListAsync();
        // Anchored today, or anchored with a disputed record (the facility must see that dispute whenever it was).
        var anchored = (await db.AnchorConfirmations.AsNoTracking().Include(c => c.Records)
            .Where(c => c.FacilityId == facilityId && c.Status == AnchorStatus.Anchored).ToListAsync())
            .Where(c => c.CreatedAt >= start || c.Records.Any(r => r.Decision == RecordDecision.Rejected)).ToList();
        var views = await ViewsAsync(db, [.. open, .. anchored], withPatientNames: true);
        return new FacilityAnchorLists(
            views.Where(v => v.CreatedAt >= start).ToList(),
            views.Where(v => v.Status == AnchorStatus.Pending).ToList(),
            views.Where(v => v.Disputed.Count > 0).OrderByDescending(v => v.Disputed.Max(r => r.RejectedAt)).Take(50).ToList());
    }

    /// <summary>
    /// The facility takes back a request the patient has not answered (recorded for the wrong patient, or by
    /// mistake): it leaves the patient's list and can no longer be signed. Nothing of it was on the ledger.
    /// </summary>
    public async Task<AnchorOutcome> WithdrawAsync(ClaimsPrincipal staff, string id)
    {
        var turn = await Gate.AcquireAsync(id);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var confirmation = await LoadAsync(db, id, tracking: true);
            if (confirmation is null || !await IsStaffOfAsync(staff, confirmation.FacilityId))
                return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation at your facility.");
            if (await ReconcileAsync(db, confirmation)) Changed(confirmation);
            if (confirmation.Status == AnchorStatus.Withdrawn) return AnchorOutcome.Ok(AnchorStatus.Withdrawn);
            if (confirmation.Status != AnchorStatus.Pending)
                return AnchorOutcome.Fail(AnchorError.NotPending, "The patient has already answered; it can no longer be withdrawn.", confirmation.Status);
            if (confirmation.Records.Any(r => r.BlockHeight is not null))
                return AnchorOutcome.Fail(AnchorError.NotPending, "Part of it is already on the ledger; it can no longer be withdrawn.", confirmation.Status);
            confirmation.Status = AnchorStatus.Withdrawn;
            confirmation.WithdrawnAt = clock.GetUtcNow();
            confirmation.Problem = null;
            await db.SaveChangesAsync();
            logger.LogInformation("Anchor confirmation {Id} withdrawn by facility {Facility}", confirmation.Id, confirmation.FacilityId);
            Changed(confirmation);
            return AnchorOutcome.Ok(AnchorStatus.Withdrawn);
        }
        finally
        {
            turn.Dispose();
        }
    }

    /// <summary>
    /// Reminds the patient that this waits for them: a mail with the link (when they have a confirmed address) and a
    /// nudge to their open pages. Not more than once per <see cref="ReminderInterval"/>.
    /// </summary>
    public async Task<AnchorOutcome> RemindAsync(ClaimsPrincipal staff, string id, string confirmUrl)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var confirmation = await LoadAsync(db, id, tracking: true);
        if (confirmation is null || !await IsStaffOfAsync(staff, confirmation.FacilityId))
            return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation at your facility.");
        if (confirmation.Status != AnchorStatus.Pending)
            return AnchorOutcome.Fail(AnchorError.NotPending, "The patient has already answered, or it was withdrawn.", confirmation.Status);
        var now = clock.GetUtcNow();
        if (confirmation.RemindedAt is { } last && now - last < ReminderInterval)
            return AnchorOutcome.Fail(AnchorError.TooSoon, "A reminder was sent a moment ago.", AnchorStatus.Pending);
        var facility = await db.Facilities.AsNoTracking().Where(f => f.Id == confirmation.FacilityId).Select(f => f.Name).SingleAsync();
        var mailed = reminders is not null && await reminders.SendAsync(confirmation.Mpi, facility, confirmUrl);
        confirmation.RemindedAt = now;
        await db.SaveChangesAsync();
        Changed(confirmation);
        return mailed ? AnchorOutcome.Ok(AnchorStatus.Pending) : AnchorOutcome.Fail(AnchorError.NoAddress,
            "The patient has no confirmed e-mail address: show them the code again, or give them the link.", AnchorStatus.Pending);
    }

    // ---- patient -------------------------------------------------------------------------------------------

    /// <summary>
    /// The full content of every record of one of the calling patient's confirmations, in order: parsed from the
    /// FHIR JSON kept at the save (or read from the facility's store for older saves), shown only when it hashes to
    /// exactly the anchored hash. Null when the confirmation is not the caller's.
    /// </summary>
    public async Task<IReadOnlyList<RecordContent>?> ContentOfAsync(ClaimsPrincipal patient, string id, CancellationToken ct = default)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return null;
        if (remote?.Holds(id) == true) return remote.ContentOf(mpi, id);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var confirmation = await LoadAsync(db, id);
        if (confirmation is null || !Decides(mpi, confirmation.Mpi)) return null;
        var contents = new List<RecordContent>();
        foreach (var row in confirmation.Records.OrderBy(r => r.Position))
            contents.Add(await ContentOfAsync(confirmation.FacilityId, row, ct));
        return contents;
    }

    private async Task<RecordContent> ContentOfAsync(string facilityId, AnchorConfirmationRecord row, CancellationToken ct)
    {
        var json = row.FhirJson;
        if (json is null && records is not null)
        {
            var read = await records.FetchAsync(facilityId, row.RecordId, ct);
            if (read.Record is { } record) json = RecordHash.JsonOf(record.Fhir);
        }
        return ContentOf(row.RecordId, row.Hash, json);
    }

    /// <summary>
    /// The checks every co-signature goes through, for a save of this node and for one another node offered: the signer
    /// is an active key of this patient as this replica has it (browser key or wallet), and each stored anchor is signed
    /// once, over exactly its stored body. The anchors come back with the patient's signature added, in the order given.
    /// </summary>
    internal static Result<IReadOnlyList<Transaction>, AnchorError> Cosign(HealthPortal.Ledger.Reading.LedgerReader reader, string mpi, PatientSigner signer,
        IReadOnlyList<(string TransactionId, Transaction Anchor)> anchors, IReadOnlyList<PatientSignature> signatures, string eachOnce)
    {
        var key = reader.Key(signer.Kid);
        var whose = signer.IsWallet ? $"The wallet {signer.Kid}" : "This browser's key";
        if (key is null || key.Mpi != mpi || key.IsWallet != signer.IsWallet) return Result.Fail(AnchorError.KeyNotActive, $"{whose} is not one of your keys on the ledger.");
        if (!key.IsActive) return Result.Fail(AnchorError.KeyNotActive, $"{whose} was revoked at block {key.RevokedHeight}; it signs nothing any more.");
        if (signatures.Count != anchors.Count || signatures.Select(s => s.TransactionId).Distinct().Count() != anchors.Count)
            return Result.Fail(AnchorError.BodyMismatch, eachOnce);
        var signed = new List<Transaction>();
        foreach (var (id, tx) in anchors)
        {
            var signature = signatures.FirstOrDefault(s => s.TransactionId == id);
            if (signature is null) return Result.Fail(AnchorError.BodyMismatch, "What you signed is not what was prepared (it may have been renewed): please sign again.");
            var canonical = Jcs.Canonicalize(signature.Body);
            if (!canonical.IsSuccess || !canonical.Bytes!.AsSpan().SequenceEqual(Jcs.Canonicalize(tx.Body).Bytes))
                return Result.Fail(AnchorError.BodyMismatch, "What you signed is not exactly what was prepared.");
            // ES256 over the canonical bytes, or the wallet's EIP-712 RecordCosign rebuilt from this stored body.
            var cosigned = PatientSignatures.Add(reader, tx, mpi, signer, signature.Signature);
            if (!cosigned.IsOk) return Result.Fail(AnchorError.BadSignature, signer.IsWallet ? cosigned.Message! : "The signature from this browser did not verify. Try again.");
            signed.Add(cosigned.Value!);
        }
        return signed;
    }

    /// <summary>A record's content for the patient to read: shown only when it hashes to what the facility signed.</summary>
    public static RecordContent ContentOf(string recordId, string signedHash, string? json)
    {
        if (json is null) return new RecordContent(recordId, null, ContentProblem.Unavailable);
        string hash;
        try
        {
            hash = RecordHash.OfJson(json);
        }
        catch (FormatException)
        {
            return new RecordContent(recordId, null, ContentProblem.Altered);
        }
        if (hash != signedHash) return new RecordContent(recordId, null, ContentProblem.Altered);
        return FhirJson.TryParse(json) is { } resource
            ? new RecordContent(recordId, resource, null)
            : new RecordContent(recordId, null, ContentProblem.Unavailable);
    }

    /// <summary>
    /// The patient disputes some records of a save, each with a reason code and optional words (kept here, never on
    /// the ledger). Disputed records are never anchored; the rest stay to be signed. Disputing every record rejects
    /// the save. A dispute is final: the facility corrects a record by recording it again.
    /// </summary>
    public async Task<AnchorOutcome> DisputeAsync(ClaimsPrincipal patient, string id, IReadOnlyList<RecordDispute> disputes)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return AnchorOutcome.Fail(AnchorError.Forbidden, "Only the patient can dispute their records.");
        if (disputes.Count == 0) return AnchorOutcome.Fail(AnchorError.Invalid, "Choose at least one record to dispute.", AnchorStatus.Pending);
        var cleaned = new List<RecordDispute>();
        foreach (var dispute in disputes)
        {
            if (!AnchorRejectReasons.IsValid(dispute.Code))
                return AnchorOutcome.Fail(AnchorError.Invalid, "Choose why you dispute each record.", AnchorStatus.Pending);
            var words = string.IsNullOrWhiteSpace(dispute.Words) ? null : dispute.Words.Trim();
            if (words is null && AnchorRejectReasons.NeedsWords(dispute.Code))
                return AnchorOutcome.Fail(AnchorError.Invalid, "Say in a few words what is wrong: the facility reads it.", AnchorStatus.Pending);
            if (words is { Length: > MaxReasonLength })
                return AnchorOutcome.Fail(AnchorError.Invalid, $"Keep the reason under {MaxReasonLength} characters.", AnchorStatus.Pending);
            if (words is not null && SafeText.Check(words, multiline: true) is { } problem)
                return AnchorOutcome.Fail(AnchorError.Invalid, $"The reason cannot be saved: {problem}.", AnchorStatus.Pending);
            cleaned.Add(dispute with { Words = words });
        }
        if (cleaned.Select(d => d.RecordId).Distinct(StringComparer.Ordinal).Count() != cleaned.Count)
            return AnchorOutcome.Fail(AnchorError.Invalid, "A record is listed twice.", AnchorStatus.Pending);
        if (remote?.Holds(id) == true)
        {
            // A save of another organisation's node: its node is told of a refusal of the whole save (with the reasons);
            // it does not yet take a dispute of some records, so the patient is asked to decide on all of them at once.
            var held = remote.ForPatient(mpi, id);
            if (held is null) return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation.");
            if (cleaned.Select(d => d.RecordId).Distinct().Count() != held.Records.Count)
                return AnchorOutcome.Fail(AnchorError.Invalid,
                    "These records were saved at another organisation's node: confirm them all, or dispute them all.", AnchorStatus.Pending);
            var reason = string.Join("; ", cleaned.Select(d => d.Words is null ? AnchorRejectReasons.StaffLabel(d.Code) : $"{AnchorRejectReasons.StaffLabel(d.Code)}: {d.Words}").Distinct());
            return await remote.RejectAsync(mpi, id, reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason);
        }
        var turn = await Gate.AcquireAsync(id);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var confirmation = await LoadAsync(db, id, tracking: true);
            if (confirmation is null) return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation.");
            if (!Decides(mpi, confirmation.Mpi)) return AnchorOutcome.Fail(AnchorError.Forbidden, "These records are not yours to dispute.");
            if (await ReconcileAsync(db, confirmation)) Changed(confirmation);
            if (confirmation.Status != AnchorStatus.Pending)
                return AnchorOutcome.Fail(AnchorError.NotPending, confirmation.Status == AnchorStatus.Withdrawn
                    ? "The facility withdrew this; there is nothing to dispute." : "You have already answered this.", confirmation.Status);
            var now = clock.GetUtcNow();
            foreach (var dispute in cleaned)
            {
                var row = confirmation.Records.FirstOrDefault(r => r.RecordId == dispute.RecordId);
                if (row is null) return AnchorOutcome.Fail(AnchorError.Invalid, "A disputed record is not part of this.", AnchorStatus.Pending);
                if (row.BlockHeight is not null)
                    return AnchorOutcome.Fail(AnchorError.NotPending, "A record you dispute is already on the ledger.", AnchorStatus.Pending);
            }
            foreach (var dispute in cleaned)
            {
                var row = confirmation.Records.First(r => r.RecordId == dispute.RecordId);
                if (row.Decision == RecordDecision.Rejected) continue;
                (row.Decision, row.RejectCode, row.RejectWords, row.RejectedAt) = (RecordDecision.Rejected, dispute.Code, dispute.Words, now);
            }
            if (confirmation.Records.All(r => r.Decision == RecordDecision.Rejected))
            {
                confirmation.Status = AnchorStatus.Rejected;
                confirmation.RejectedAt = now;
                var first = confirmation.Records.OrderBy(r => r.Position).First();
                // Stored: in English, as before, whoever's page decided; pages show the code in the reader's words.
                confirmation.RejectReason = first.RejectWords ?? AnchorRejectReasons.Label(first.RejectCode, System.Globalization.CultureInfo.InvariantCulture);
                confirmation.Problem = null;
            }
            await db.SaveChangesAsync();
            // What is left may already be on the ledger (a retry after a crash): the ledger says.
            await ReconcileAsync(db, confirmation);
            logger.LogInformation("Anchor confirmation {Id}: patient disputed {Count} record(s)", confirmation.Id, cleaned.Count);
            Changed(confirmation);
            return AnchorOutcome.Ok(confirmation.Status, confirmation.BlockHeight);
        }
        finally
        {
            turn.Dispose();
        }
    }

    /// <summary>One confirmation of the calling patient.</summary>
    public async Task<AnchorConfirmationView?> ForPatientAsync(ClaimsPrincipal patient, string id)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return null;
        if (remote?.Holds(id) == true) return remote.ForPatient(mpi, id);
        await using var db = await dbFactory.CreateDbContextAsync();
        var confirmation = await LoadAsync(db, id);
        if (confirmation is null || !Decides(mpi, confirmation.Mpi)) return null;
        return await ViewAsync(db, confirmation, withPatientName: false);
    }

    /// <summary>The calling patient's confirmations still waiting for them, oldest first.</summary>
    public async Task<IReadOnlyList<AnchorConfirmationView>> WaitingForMeAsync(ClaimsPrincipal patient)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        var list = await db.AnchorConfirmations.AsNoTracking().Include(c => c.Records).Where(c => c.Mpi == mpi && c.Status == AnchorStatus.Pending).ToListAsync();
        var views = await ViewsAsync(db, list, withPatientNames: false);
        // Saves of facilities on other nodes, offered to this node for its patient.
        IEnumerable<AnchorConfirmationView> offered = remote?.WaitingFor(mpi) ?? [];
        return views.Where(v => v.Status == AnchorStatus.Pending).Concat(offered).OrderBy(v => v.CreatedAt).ToList();
    }

    /// <summary>
    /// The confirmations of <paramref name="subjectMpi"/> still waiting, oldest first: the caller's own
    /// (<see cref="WaitingForMeAsync"/>), or those of a patient who gave the caller a delegation with the <c>cosign</c>
    /// power in force now (checked here, at every call). Saves offered by another node are listed only to the patient.
    /// </summary>
    public async Task<IReadOnlyList<AnchorConfirmationView>> WaitingForAsync(ClaimsPrincipal caller, string subjectMpi)
    {
        if (await MpiOfAsync(caller) is not { } own) return [];
        if (own == subjectMpi) return await WaitingForMeAsync(caller);
        if (CosignDelegation(own, subjectMpi) is null) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        var list = await db.AnchorConfirmations.AsNoTracking().Include(c => c.Records).Where(c => c.Mpi == subjectMpi && c.Status == AnchorStatus.Pending).ToListAsync();
        var views = await ViewsAsync(db, list, withPatientNames: false);
        return views.Where(v => v.Status == AnchorStatus.Pending).OrderBy(v => v.CreatedAt).ToList();
    }

    /// <summary>
    /// The bodies the patient's browser signs, in order. Anchors older than <see cref="FreshFor"/> are re-made with a
    /// fresh timestamp and re-signed by the facility first (same content), so the signed result is inside the ledger's
    /// clock window. Null when the caller may not confirm this, or it is no longer pending.
    /// </summary>
    public async Task<IReadOnlyList<AnchorToSign>?> ToSignAsync(ClaimsPrincipal patient, string id)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return null;
        if (remote?.Holds(id) == true) return await remote.ToSignAsync(mpi, id);
        var turn = await Gate.AcquireAsync(id);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            // Read untracked: a save is usually fresh, and then nothing here is written (issue 17 measured the confirm
            // path's EF work per record); the rows are attached only when they are re-made below.
            var confirmation = await LoadAsync(db, id);
            if (confirmation is null || !Decides(mpi, confirmation.Mpi) || confirmation.Status != AnchorStatus.Pending) return null;
            // A delegate's co-signature stands in the patient's place only when the body names the delegation (the
            // facility signs that body too); the patient's own must not name one. A body prepared for the other signer
            // is re-made like a stale one.
            var delegation = mpi == confirmation.Mpi ? null : CosignDelegation(mpi, confirmation.Mpi);
            var txs = confirmation.Records.Where(r => r.Decision == RecordDecision.Open).OrderBy(r => r.Position).Select(r => (Row: r, Tx: Parse(r))).ToList();
            if (txs.Count == 0) return null;
            if (txs.Any(t => Age(t.Tx) > FreshFor || t.Tx.GetString("delegation") != delegation))
            {
                var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == confirmation.FacilityId);
                if (NodeKeyOf(facility) is not { } nodeKey) return null;
                db.Attach(confirmation);
                for (var i = 0; i < txs.Count; i++)
                {
                    var (row, old) = txs[i];
                    if (ledger.Reader.Record(old.GetString("facility")!, row.RecordId) is not null) continue;
                    var body = (JsonObject)old.Body.DeepClone();
                    var fresh = _tx.Body();
                    body["ts"] = fresh["ts"]!.DeepClone();
                    body["nonce"] = fresh["nonce"]!.DeepClone();
                    if (delegation is null) body.Remove("delegation");
                    else body["delegation"] = delegation;
                    var remade = Transaction.Create(TxType.RecordAnchor, body).ValueOrThrow().SignWith(nodeKey);
                    Store(row, remade);
                    txs[i] = (row, remade);
                }
                await db.SaveChangesAsync();
            }
            // Each stored anchor parsed once per call; the bodies handed out are copies, so the caller cannot change ours.
            return txs.Select(t => new AnchorToSign(t.Tx.IdText, t.Tx.Type, (JsonObject)t.Tx.Body.DeepClone())).ToList();
        }
        finally
        {
            turn.Dispose();
        }
    }

    /// <summary>
    /// Adds the patient's signatures to the stored, facility-signed anchors and submits them all. Each signature must
    /// be over exactly the stored body and verify against an active key of this patient on the ledger. A refused
    /// submit leaves the confirmation pending with the reason; confirming an anchored confirmation again is harmless.
    /// </summary>
    public async Task<AnchorOutcome> ConfirmAsync(ClaimsPrincipal patient, string id, PatientSigner signer, IReadOnlyList<PatientSignature> signatures)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return AnchorOutcome.Fail(AnchorError.Forbidden, "Only the patient can confirm their records.");
        if (remote?.Holds(id) == true) return await remote.ConfirmAsync(mpi, id, signer, signatures);
        var turn = await Gate.AcquireAsync(id);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            // Untracked: everything this writes is a set-wise UPDATE (ReconcileAsync, the refusal's problem below).
            var confirmation = await LoadAsync(db, id);
            if (confirmation is null) return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation.");
            if (!Decides(mpi, confirmation.Mpi)) return AnchorOutcome.Fail(AnchorError.Forbidden, "These records are not yours to confirm.");
            if (await ReconcileAsync(db, confirmation)) Changed(confirmation);
            if (confirmation.Status == AnchorStatus.Anchored) return AnchorOutcome.Ok(AnchorStatus.Anchored, confirmation.BlockHeight);
            if (confirmation.Status == AnchorStatus.Rejected)
                return AnchorOutcome.Fail(AnchorError.NotPending, "You disputed every record of this; it can no longer be confirmed.", AnchorStatus.Rejected);
            if (confirmation.Status == AnchorStatus.Withdrawn)
                return AnchorOutcome.Fail(AnchorError.NotPending, "The facility withdrew this; it can no longer be confirmed.", AnchorStatus.Withdrawn);

            var rows = confirmation.Records.Where(r => r.Decision == RecordDecision.Open).OrderBy(r => r.Position).ToList();
            if (mpi != confirmation.Mpi)
            {
                // A delegate signs with their own ES256 key over bodies naming their delegation (ToSignAsync made them so);
                // a wallet cannot show "on behalf of", so the ledger refuses it and the portal says so first.
                if (signer.IsWallet) return Fail(AnchorError.SignerRefused, "A wallet cannot sign for someone else: use this browser's key.");
                var delegation = CosignDelegation(mpi, confirmation.Mpi);
                if (rows.Any(r => Parse(r).GetString("delegation") != delegation))
                    return Fail(AnchorError.BodyMismatch, "What you signed is not what was prepared (it may have been renewed): please sign again.");
            }
            var cosigned = Cosign(ledger.Reader, mpi, signer, [.. rows.Select(r => (r.TransactionId, Parse(r)))], signatures,
                "Every record you did not dispute must be signed, each once.");
            if (!cosigned.IsOk) return Fail(cosigned.Error, cosigned.Message!);
            var signed = rows.Zip(cosigned.Value!, (row, tx) => (Row: row, Tx: tx)).ToList();
            var skew = TimeSpan.FromMilliseconds(ledger.Engine.Genesis.Parameters.MaxSkewMs);
            if (signed.Any(s => Age(s.Tx) > skew - TimeSpan.FromSeconds(15)))
                return Fail(AnchorError.Expired, "This took too long and expired. Please confirm again.");

            var pending = signed.Where(s => ledger.Reader.Record(s.Tx.GetString("facility")!, s.Row.RecordId) is null).ToList();
            // Submitted together so that they usually land in the same block.
            var results = await Task.WhenAll(pending.Select(s => ledger.Engine.SubmitAsync(s.Tx).AsTask()));
            if (await ReconcileAsync(db, confirmation))
            {
                logger.LogInformation("Anchor confirmation {Id} anchored at block {Height}", confirmation.Id, confirmation.BlockHeight);
                Changed(confirmation);
            }
            // Anchored by this call, or by a reader that reconciled it first (the one that lost reads the winner's block).
            if (confirmation.Status == AnchorStatus.Anchored) return AnchorOutcome.Ok(AnchorStatus.Anchored, confirmation.BlockHeight);
            var refused = results.FirstOrDefault(r => !r.IsCommitted);
            var message = refused is null ? "Not every record reached the ledger. Try again." : Explain(refused);
            confirmation.Problem = message;
            await db.AnchorConfirmations.Where(c => c.Id == confirmation.Id && c.Status == AnchorStatus.Pending)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.Problem, message));
            logger.LogWarning("Anchor confirmation {Id} not anchored: {Result}", confirmation.Id, refused);
            Changed(confirmation);
            return AnchorOutcome.Fail(AnchorError.LedgerRefused, message, AnchorStatus.Pending);
        }
        finally
        {
            turn.Dispose();
        }

        static AnchorOutcome Fail(AnchorError code, string error) => AnchorOutcome.Fail(code, error, AnchorStatus.Pending);
    }

    /// <summary>The patient says this was not their visit. The reason is required and recorded; nothing goes on the ledger.</summary>
    public async Task<AnchorOutcome> RejectAsync(ClaimsPrincipal patient, string id, string? reason)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return AnchorOutcome.Fail(AnchorError.Forbidden, "Only the patient can reject their records.");
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason)) return AnchorOutcome.Fail(AnchorError.Invalid, "Say why this was not your visit: the facility reads it.", AnchorStatus.Pending);
        if (reason.Length > MaxReasonLength) return AnchorOutcome.Fail(AnchorError.Invalid, $"Keep the reason under {MaxReasonLength} characters.", AnchorStatus.Pending);
        if (SafeText.Check(reason, multiline: true) is { } problem) return AnchorOutcome.Fail(AnchorError.Invalid, $"The reason cannot be saved: {problem}.", AnchorStatus.Pending);
        if (remote?.Holds(id) == true) return await remote.RejectAsync(mpi, id, reason);
        var turn = await Gate.AcquireAsync(id);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var confirmation = await LoadAsync(db, id, tracking: true);
            if (confirmation is null) return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation.");
            if (!Decides(mpi, confirmation.Mpi)) return AnchorOutcome.Fail(AnchorError.Forbidden, "These records are not yours to reject.");
            await ReconcileAsync(db, confirmation);
            if (confirmation.Status == AnchorStatus.Rejected) return AnchorOutcome.Ok(AnchorStatus.Rejected);
            if (confirmation.Status == AnchorStatus.Anchored)
                return AnchorOutcome.Fail(AnchorError.NotPending, $"These records are already on the ledger (block {confirmation.BlockHeight}).", AnchorStatus.Anchored);
            if (confirmation.Status == AnchorStatus.Withdrawn)
                return AnchorOutcome.Fail(AnchorError.NotPending, "The facility withdrew this; there is nothing to reject.", AnchorStatus.Withdrawn);
            if (confirmation.Records.Any(r => r.BlockHeight is not null))
                return AnchorOutcome.Fail(AnchorError.NotPending, "Part of this is already on the ledger.", AnchorStatus.Pending);
            var now = clock.GetUtcNow();
            confirmation.Status = AnchorStatus.Rejected;
            confirmation.RejectReason = reason;
            confirmation.RejectedAt = now;
            confirmation.Problem = null;
            foreach (var row in confirmation.Records.Where(r => r.Decision == RecordDecision.Open))
                (row.Decision, row.RejectCode, row.RejectWords, row.RejectedAt) = (RecordDecision.Rejected, AnchorRejectReasons.NotMe, reason, now);
            await db.SaveChangesAsync();
            Changed(confirmation);
            return AnchorOutcome.Ok(AnchorStatus.Rejected);
        }
        finally
        {
            turn.Dispose();
        }
    }

    /// <summary>
    /// Offers again every pending save of a facility hosted here whose patient lives on another node and that this process
    /// has not delivered yet (the relay's retries; harmless when the patient's node already has it).
    /// </summary>
    public async Task RelayPendingAsync(CancellationToken ct = default)
    {
        if (relay is not { IsConsortium: true }) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pending = await db.AnchorConfirmations.Include(c => c.Records).Where(c => c.Status == AnchorStatus.Pending).ToListAsync(ct);
        foreach (var confirmation in pending.Where(c => !relay.WasDelivered(c.Id)))
        {
            if (await relay.IsLocalPatientAsync(confirmation.Mpi, ct)) continue;
            var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == confirmation.FacilityId, ct);
            if (NodeKeyOf(facility) is not { } nodeKey) continue;
            if (!await relay.OfferAsync(confirmation, nodeKey.Id, facility.Name, ct)) continue;
            if (confirmation.Problem == NotYetDelivered)
            {
                confirmation.Problem = null;
                await db.SaveChangesAsync(ct);
                Changed(confirmation);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The facility's node key, when the ledger has it as an approved node and the registry agrees.</summary>
    private HealthPortal.Ledger.Crypto.LedgerKeyPair? NodeKeyOf(HealthFacility facility)
    {
        if (facility.Status != FacilityStatus.Approved || facility.NodeKeyId is null) return null;
        var key = ledger.Keys.Find(ServerKeyVault.FacilityNode(facility.Id));
        return key is not null && key.Id == facility.NodeKeyId && ledger.Reader.Node(key.Id)?.Status == NodeStatus.Approved ? key : null;
    }

    private async Task<bool> IsStaffOfAsync(ClaimsPrincipal staff, string facilityId) =>
        (await authorization.AuthorizeAsync(staff, new FacilityScope(facilityId), PortalPolicies.FacilityPortal)).Succeeded;

    /// <summary>The calling patient's MPI number from their profile (never from the browser), once registered.</summary>
    private async Task<string?> MpiOfAsync(ClaimsPrincipal patient)
    {
        if (!(await authorization.AuthorizeAsync(patient, PortalPolicies.PatientPortal)).Succeeded) return null;
        var userId = patient.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
    }

    /// <summary>
    /// The id of a delegation from <paramref name="patientMpi"/> to <paramref name="ownMpi"/> with the <c>cosign</c>
    /// power in force now (ledger, read at every call), or null.
    /// </summary>
    private string? CosignDelegation(string ownMpi, string patientMpi) =>
        delegates?.InForce(ownMpi, patientMpi, DelegationPowers.Cosign)?.Id;

    /// <summary>The caller (MPI <paramref name="ownMpi"/>) decides on a save of <paramref name="patientMpi"/>: it is theirs, or they co-sign for that patient now.</summary>
    private bool Decides(string ownMpi, string patientMpi) => ownMpi == patientMpi || CosignDelegation(ownMpi, patientMpi) is not null;

    private static Task<AnchorConfirmation?> LoadAsync(ApplicationDbContext db, string id, bool tracking = false)
    {
        var query = db.AnchorConfirmations.Include(c => c.Records).Where(c => c.Id == id);
        return (tracking ? query : query.AsNoTracking()).SingleOrDefaultAsync();
    }

    /// <summary>
    /// Marks a pending confirmation anchored when the ledger holds every one of its records (the ledger is the
    /// truth); returns true when this call changed it to anchored.
    /// </summary>
    /// <remarks>
    /// Written set-wise, whether <paramref name="confirmation"/> is tracked or not: one <c>UPDATE</c> of the rows per
    /// block they landed in (a save is usually one block) and one of the confirmation, conditional on it still being
    /// pending. Issue 17 measured the tracked graph and one <c>UPDATE</c> per row as most of a confirmation's database
    /// work. The condition makes a second writer (a list page reconciling while the patient confirms, another node
    /// process on the same database) lose cleanly: it reads back what the winner wrote instead of writing it again.
    /// </remarks>
    private async Task<bool> ReconcileAsync(ApplicationDbContext db, AnchorConfirmation confirmation)
    {
        if (!NeedsReconcile(confirmation)) return false;
        var open = confirmation.Records.Where(r => r.Decision == RecordDecision.Open).ToList();
        var facility = Parse(open[0]).GetString("facility")!;
        var found = open.Select(r => (Row: r, Entry: ledger.Reader.Record(facility, r.RecordId))).ToList();
        foreach (var block in found.Where(f => f.Entry is not null && f.Row.BlockHeight != f.Entry.Height).GroupBy(f => f.Entry!.Height))
        {
            var ids = block.Select(f => f.Row.RecordId).ToList();
            await db.Set<AnchorConfirmationRecord>().Where(r => r.ConfirmationId == confirmation.Id && ids.Contains(r.RecordId))
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.BlockHeight, block.Key));
            foreach (var (row, _) in block)
            {
                row.BlockHeight = block.Key;
                Written(db, row, nameof(AnchorConfirmationRecord.BlockHeight));
            }
        }
        if (found.Any(f => f.Entry is null)) return false;

        var height = found.Max(f => f.Entry!.Height);
        var now = clock.GetUtcNow();
        var won = await db.AnchorConfirmations.Where(c => c.Id == confirmation.Id && c.Status == AnchorStatus.Pending)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.Status, AnchorStatus.Anchored).SetProperty(c => c.BlockHeight, height)
                .SetProperty(c => c.AnchoredAt, now).SetProperty(c => c.Problem, (string?)null)) == 1;
        if (won) (confirmation.Status, confirmation.BlockHeight, confirmation.AnchoredAt, confirmation.Problem) = (AnchorStatus.Anchored, height, now, null);
        else
        {
            var current = await db.AnchorConfirmations.AsNoTracking().Where(c => c.Id == confirmation.Id)
                .Select(c => new { c.Status, c.BlockHeight, c.AnchoredAt, c.Problem }).SingleAsync();
            (confirmation.Status, confirmation.BlockHeight, confirmation.AnchoredAt, confirmation.Problem) = (current.Status, current.BlockHeight, current.AnchoredAt, current.Problem);
        }
        Written(db, confirmation, nameof(AnchorConfirmation.Status), nameof(AnchorConfirmation.BlockHeight), nameof(AnchorConfirmation.AnchoredAt), nameof(AnchorConfirmation.Problem));
        return won;
    }

    /// <summary>
    /// Tells a context that tracks <paramref name="entity"/> that these properties already hold what the database holds
    /// (written by a set-wise <c>UPDATE</c>), so that a later <c>SaveChanges</c> of the caller's own changes does not
    /// write them again. Nothing for an untracked entity.
    /// </summary>
    private static void Written(ApplicationDbContext db, object entity, params string[] properties)
    {
        var entry = db.Entry(entity);
        if (entry.State == EntityState.Detached) return;
        foreach (var name in properties)
        {
            var property = entry.Property(name);
            property.OriginalValue = property.CurrentValue;
            property.IsModified = false;
        }
    }

    /// <summary>
    /// Whether <see cref="ReconcileAsync"/> would change anything: the ledger holds an open record of a pending
    /// confirmation at a height the row does not carry yet. In-memory lookups only, so the lists can be read untracked
    /// and only what the ledger moved on is attached and saved.
    /// </summary>
    private bool NeedsReconcile(AnchorConfirmation confirmation)
    {
        if (confirmation.Status != AnchorStatus.Pending) return false;
        string? facility = null;
        var open = 0;
        var onLedger = 0;
        foreach (var row in confirmation.Records)
        {
            if (row.Decision != RecordDecision.Open) continue;
            open++;
            facility ??= Parse(row).GetString("facility")!;
            if (ledger.Reader.Record(facility, row.RecordId) is not { } entry) continue;
            if (row.BlockHeight != entry.Height) return true;
            onLedger++;
        }
        // Every open record on the ledger with its height already written: only the confirmation's status is behind.
        return open > 0 && onLedger == open;
    }

    private async Task<IReadOnlyList<AnchorConfirmationView>> ViewsAsync(ApplicationDbContext db, List<AnchorConfirmation> list, bool withPatientNames)
    {
        var views = new List<AnchorConfirmationView>();
        foreach (var confirmation in list.Where(NeedsReconcile))
            if (await ReconcileAsync(db, confirmation)) Changed(confirmation);
        var facilityIds = list.Select(c => c.FacilityId).Distinct().ToList();
        var facilities = await db.Facilities.AsNoTracking().Where(f => facilityIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id);
        Dictionary<string, string> names = [];
        if (withPatientNames)
        {
            var mpis = list.Select(c => c.Mpi).Distinct().ToList();
            names = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null && mpis.Contains(p.MpiNumber))
                .ToDictionaryAsync(p => p.MpiNumber!, p => p.FullName);
        }
        foreach (var confirmation in list.OrderByDescending(c => c.CreatedAt))
            views.Add(View(confirmation, facilities[confirmation.FacilityId], names.GetValueOrDefault(confirmation.Mpi)));
        return views;
    }

    private async Task<AnchorConfirmationView> ViewAsync(ApplicationDbContext db, AnchorConfirmation confirmation, bool withPatientName) =>
        (await ViewsAsync(db, [confirmation], withPatientName))[0];

    private static AnchorConfirmationView View(AnchorConfirmation c, HealthFacility facility, string? patientName)
    {
        var records = c.Records.OrderBy(r => r.Position).Select(r =>
        {
            var tx = Parse(r);
            return new AnchorRecordView(r.RecordId, r.Kind, r.Date, r.Summary, r.Hash, r.TransactionId, tx.Type,
                System.Text.Encoding.UTF8.GetString(tx.SigningBytes), r.BlockHeight)
            {
                Supersedes = tx.GetString("supersedes") is { } reference ? reference[(reference.IndexOf('/') + 1)..] : null,
                Decision = r.Decision, RejectCode = r.RejectCode, RejectWords = r.RejectWords, RejectedAt = r.RejectedAt,
            };
        }).ToList();
        return new AnchorConfirmationView(c.Id, c.FacilityId, facility.Name, facility.NodeKeyId ?? "", c.Mpi, patientName, c.StaffUserId, c.CreatedAt,
            c.Status, c.Problem, c.RejectReason, c.RejectedAt, c.AnchoredAt, c.BlockHeight, records);
    }

    private static void Store(AnchorConfirmationRecord row, Transaction tx)
    {
        row.TransactionJson = tx.ToJsonString();
        row.TransactionId = tx.IdText;
    }

    private static Transaction Parse(AnchorConfirmationRecord row) => TransactionCodec.Parse(row.TransactionJson).ValueOrThrow();

    private TimeSpan Age(Transaction tx) => clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(tx.Timestamp);

    private void Changed(AnchorConfirmation c) => events.Raise(new AnchorChange(c.Id, c.FacilityId, c.Mpi, c.Status));

    private static PrepareOutcome PrepareFail(AnchorError code, string error) => new(code, null, error);

    internal static string Explain(SubmitResult result) => result.Error switch
    {
        HealthPortal.Ledger.LedgerError.RevokedKey => "This browser's key was revoked; it signs nothing any more.",
        HealthPortal.Ledger.LedgerError.SignerNotAuthorized => "This browser's key is not an active key of your registration.",
        HealthPortal.Ledger.LedgerError.BadSignature => "The signature from this browser did not verify. Try again.",
        HealthPortal.Ledger.LedgerError.TimestampOutOfRange => "This took too long and expired. Please confirm again.",
        HealthPortal.Ledger.LedgerError.Busy => "The network is busy. Try again in a moment.",
        _ => "The ledger refused it: " + result.Message,
    };
}
