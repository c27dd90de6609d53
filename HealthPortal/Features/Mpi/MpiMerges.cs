using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Mpi;

/// <summary>Where a merge of two registered MPI numbers stands.</summary>
public enum MergeRequestStatus { WaitingForPatient, Merged, Declined, Split }

/// <summary>
/// A steward's merge of two MPI numbers that are both registered on the ledger: it waits for the patient of the
/// surviving number to co-sign <c>patient.merge</c>, then records the merge here as the review queue's local merge
/// does (retired number, MRNs repointed). The steward's words and the patient's stay in this database; the ledger
/// gets two numbers, the facility and a reason code.
/// </summary>
public sealed class MpiMergeRequest
{
    public int Id { get; set; }
    public int ItemId { get; set; }
    /// <summary>The steward's facility (the portal's facility id): its node key signs the merge and, later, a split.</summary>
    public string FacilityId { get; set; } = "";
    public string RetiredMpi { get; set; } = "";
    public string SurvivingMpi { get; set; } = "";
    /// <summary>A <see cref="MergeReasons"/> code.</summary>
    public string Reason { get; set; } = "";
    public string Words { get; set; } = "";
    public string StewardId { get; set; } = "";
    public string StewardName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public MergeRequestStatus Status { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? TxId { get; set; }
    /// <summary>Ids of the register entries the merge repointed from the retired number (JSON array), so a split gives them back.</summary>
    public string RepointedEntries { get; set; } = "[]";
    public string? SplitReason { get; set; }
    public string? SplitWords { get; set; }
    public string? SplitBy { get; set; }
    public DateTimeOffset? SplitAt { get; set; }
    public string? SplitTxId { get; set; }
    /// <summary>
    /// The <c>patient.merge</c> body (JSON) the holder of the retired number signed, with the key (<see cref="RetiredKid"/>)
    /// and signature (base64url) they signed it with: the survivor's patient then signs the same bytes, and the
    /// merge carries the retired number's keys and grants over. Null while they have not signed.
    /// </summary>
    public string? RetiredBody { get; set; }
    public string? RetiredKid { get; set; }
    public string? RetiredSignature { get; set; }
    public DateTimeOffset? RetiredSignedAt { get; set; }
    /// <summary>Whether the committed merge carried the retired number's keys and grants (its holder co-signed).</summary>
    public bool KeysCarried { get; set; }
}

internal sealed class MpiMergeRequestConfiguration : IEntityTypeConfiguration<MpiMergeRequest>
{
    public void Configure(EntityTypeBuilder<MpiMergeRequest> e)
    {
        e.ToTable("MpiMergeRequest");
        e.HasIndex(x => x.SurvivingMpi);
        e.HasIndex(x => x.FacilityId);
        e.Property(x => x.FacilityId).HasMaxLength(64);
        e.Property(x => x.RetiredMpi).HasMaxLength(20);
        e.Property(x => x.SurvivingMpi).HasMaxLength(20);
        e.Property(x => x.Reason).HasMaxLength(32);
        e.Property(x => x.Words).HasMaxLength(MpiStewardQueue.MaxReasonLength);
        e.Property(x => x.StewardName).HasMaxLength(256);
        e.Property(x => x.TxId).HasMaxLength(64);
        e.Property(x => x.SplitReason).HasMaxLength(32);
        e.Property(x => x.SplitWords).HasMaxLength(MpiStewardQueue.MaxReasonLength);
        e.Property(x => x.SplitBy).HasMaxLength(256);
        e.Property(x => x.SplitTxId).HasMaxLength(64);
        e.Property(x => x.RetiredBody).HasMaxLength(2000);
        e.Property(x => x.RetiredKid).HasMaxLength(64);
        e.Property(x => x.RetiredSignature).HasMaxLength(200);
        // A patient confirming while a steward splits (or two tabs confirming): the second finds the status changed.
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(24).IsConcurrencyToken();
    }
}

/// <summary>A merge request as the steward and the patient see it; the facility's name in words.</summary>
/// <param name="RetiredHasAccount">The retired number is a portal account on this node, so its holder is asked to sign too.</param>
/// <param name="RetiredSignedAt">When that holder signed (null: not yet); <paramref name="RetiredSignatureStale"/>: too long ago for the network to take it.</param>
/// <param name="KeysCarried">The committed merge carried the retired number's keys and grants over.</param>
public sealed record MergeRequestView(int Id, string RetiredMpi, string SurvivingMpi, string FacilityId, string FacilityName, string Reason, string Words,
    string StewardName, DateTimeOffset CreatedAt, MergeRequestStatus Status, DateTimeOffset? DecidedAt, string? TxId, string? SplitReason,
    string? SplitWords, DateTimeOffset? SplitAt, bool RetiredHasAccount = false, DateTimeOffset? RetiredSignedAt = null, bool RetiredSignatureStale = false,
    bool KeysCarried = false)
{
    /// <summary>The retired number's holder signed recently enough that the survivor's signature completes a merge that carries keys and grants over.</summary>
    public bool CarriesKeys => RetiredSignedAt is not null && !RetiredSignatureStale;
}

/// <summary>The reason codes of <c>patient.merge</c> and <c>patient.split</c> in plain words.</summary>
public static class MergeWords
{
    public static string Merge(string code) => code switch
    {
        MergeReasons.DuplicateRegistration => MpiWords.Text("MergeDuplicateRegistration"),
        MergeReasons.SamePerson => MpiWords.Text("MergeSamePerson"),
        _ => code,
    };

    public static string Split(string code) => code switch
    {
        SplitReasons.DifferentPeople => MpiWords.Text("SplitDifferentPeople"),
        SplitReasons.EnteredInError => MpiWords.Text("SplitEnteredInError"),
        _ => code,
    };
}

/// <summary>
/// Merges of MPI numbers on the ledger (issue 13; docs/mpi.md, "Merge and split"). A steward's "merge" of two numbers
/// registered on the ledger becomes a request to the patient of the surviving number; the patient's confirm page
/// (Patient/Identity) has their browser key co-sign <c>patient.merge</c>, which this service completes with the
/// facility's node signature and submits. A steward of the merging facility splits a wrong merge
/// (<c>patient.split</c>, the facility's signature alone). Authorized per call: the steward in their facility's
/// scope, the patient only on their own surviving number.
/// </summary>
/// <remarks>A node without a ledger (the steward pages' component tests) has no ledger pairs: merges stay local as before.</remarks>
public sealed class MpiMerges(IDbContextFactory<ApplicationDbContext> dbFactory, MpiStewardQueue queue, TimeProvider clock,
    ILogger<MpiMerges> logger, LedgerHost? ledgerHost = null, HealthPortal.Features.Notices.PatientNoticeMails? mails = null)
{
    private readonly TransactionFactory _tx = new(clock);

    /// <summary>True when both numbers are registered on the ledger, so a merge of them is a <c>patient.merge</c> the patient co-signs.</summary>
    public bool IsLedgerPair(string a, string b) => ledgerHost is { } l && l.Reader.IsRegistered(a) && l.Reader.IsRegistered(b);

    private LedgerHost LedgerNode => ledgerHost ?? throw new InvalidOperationException("this node has no ledger");

    /// <summary>
    /// A steward merges open item <paramref name="itemId"/>, keeping <paramref name="survivingMpi"/>: the item waits for
    /// the patient's co-signature and nothing changes on the ledger or in the register until they sign.
    /// </summary>
    public async Task<Result<MergeRequestView, StewardError>> RequestAsync(ClaimsPrincipal steward, int itemId, string? survivingMpi, string? reason, string? words,
        CancellationToken ct = default)
    {
        if (await queue.ScopeAsync(steward, ct) is not { } scope) return Result.Fail(StewardError.Forbidden, "Only an MPI steward merges numbers.");
        if (scope.FacilityId is null)
            return Result.Fail(StewardError.Forbidden, "A merge on the network is signed by a facility: a steward of one of the pair's facilities makes it.");
        var e = new FieldErrors();
        if (!MergeReasons.IsValid(reason)) e.Add("MergeReason", "Choose why the two numbers are one person.");
        var why = (words ?? "").Trim();
        if (why.Length < 3) e.Add("Reason", "Say why (what you checked), so the decision can be understood later.");
        else if (why.Length > MpiStewardQueue.MaxReasonLength) e.Add("Reason", $"Keep the reason to {MpiStewardQueue.MaxReasonLength} characters; this has {why.Length}.");
        if (e.Any) return Result.Invalid(StewardError.Invalid, e.List);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var item = await db.Set<MpiReviewItem>().SingleOrDefaultAsync(i => i.Id == itemId && i.FacilityId == scope.FacilityId, ct);
        if (item is null) return Result.Fail(StewardError.NotFound, "This pair is not in your queue.");
        if (item.Status != ReviewStatus.Open) return Result.Fail(StewardError.AlreadyDecided, "Another steward has already decided this pair.");
        var retiredNumbers = await MpiPeople.RetiredAsync(db, ct);
        var left = MpiPeople.Resolve(retiredNumbers, item.LeftMpi);
        var right = MpiPeople.Resolve(retiredNumbers, item.RightMpi);
        if (survivingMpi is null || (survivingMpi != left && survivingMpi != right) || left == right)
            return Result.Fail(StewardError.Invalid, "Choose which of the two MPI numbers survives the merge.");
        var retired = survivingMpi == left ? right : left;
        if (!IsLedgerPair(retired, survivingMpi))
            return Result.Fail(StewardError.Invalid, "Both numbers must be registered on the network for the patient to co-sign a merge.");
        if (await FacilityKeyAsync(db, scope.FacilityId, ct) is null)
            return Result.Fail(StewardError.Invalid, "This facility has no approved ledger key on this node, so it cannot sign a merge.");

        item.Status = ReviewStatus.AwaitingPatient;
        var request = new MpiMergeRequest
        {
            ItemId = item.Id, FacilityId = scope.FacilityId, RetiredMpi = retired, SurvivingMpi = survivingMpi, Reason = reason!, Words = why,
            StewardId = scope.UserId, StewardName = scope.Name, CreatedAt = clock.GetUtcNow(), Status = MergeRequestStatus.WaitingForPatient,
        };
        db.Add(request);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result.Fail(StewardError.AlreadyDecided, "Another steward has already decided this pair.");
        }
        logger.LogInformation("Merge of {Retired} into {Surviving} requested by facility {Facility}; waiting for the patient", retired, survivingMpi, scope.FacilityId);
        await MailWaitingAsync(db, request, ct);
        return await ViewAsync(db, request, ct);
    }

    /// <summary>The merges of the steward's facility (every one for the admin), newest first.</summary>
    public async Task<Result<IReadOnlyList<MergeRequestView>, StewardError>> OfFacilityAsync(ClaimsPrincipal steward, CancellationToken ct = default)
    {
        if (await queue.ScopeAsync(steward, ct) is not { } scope) return Result.Fail(StewardError.Forbidden, "Only an MPI steward sees merges.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<MpiMergeRequest>().AsNoTracking().Where(r => scope.FacilityId == null || r.FacilityId == scope.FacilityId)
            .OrderByDescending(r => r.Id).Take(50).ToListAsync(ct);
        return Result<IReadOnlyList<MergeRequestView>, StewardError>.Ok(await ViewsAsync(db, rows, ct));
    }

    /// <summary>The merges that name <paramref name="mpi"/> as the surviving number: what the patient is asked to sign, and what they signed.</summary>
    public async Task<IReadOnlyList<MergeRequestView>> ForSurvivorAsync(string mpi, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<MpiMergeRequest>().AsNoTracking().Where(r => r.SurvivingMpi == mpi).OrderByDescending(r => r.Id).ToListAsync(ct);
        return await ViewsAsync(db, rows, ct);
    }

    /// <summary>The merges that would retire <paramref name="mpi"/>: its holder is asked to sign too, so its keys and sharing carry over.</summary>
    public async Task<IReadOnlyList<MergeRequestView>> ForRetiredAsync(string mpi, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<MpiMergeRequest>().AsNoTracking().Where(r => r.RetiredMpi == mpi).OrderByDescending(r => r.Id).ToListAsync(ct);
        return await ViewsAsync(db, rows, ct);
    }

    /// <summary>
    /// The holder of the retired number signed request <paramref name="id"/> (<paramref name="retiredSigned"/>: the body from
    /// <see cref="BodyToSignAsync"/> with their signature, checked by the caller against their keys). Nothing goes to the
    /// network yet: the body and signature are kept, and the survivor's patient signs the same bytes to complete it.
    /// </summary>
    public async Task<Result<MergeRequestView, StewardError>> RetiredSignAsync(string mpi, int id, Transaction retiredSigned, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.Set<MpiMergeRequest>().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (request is null || request.RetiredMpi != mpi) return Result.Fail(StewardError.NotFound, "There is no such merge of your number.");
        if (request.Status != MergeRequestStatus.WaitingForPatient) return Result.Fail(StewardError.AlreadyDecided, "This merge is no longer waiting for a signature.");
        if (await FacilityKeyAsync(db, request.FacilityId, ct) is not { } key)
            return Result.Fail(StewardError.Invalid, "The facility can no longer sign on the network; ask its steward.");
        if (!IsThisMerge(retiredSigned, request, key.Id) || retiredSigned.Signatures.Count != 1)
            return Result.Fail(StewardError.Invalid, "What was signed is not this merge. Reload the page and sign again.");
        request.RetiredBody = retiredSigned.Body.ToJsonString();
        request.RetiredKid = retiredSigned.Signatures[0].Kid;
        request.RetiredSignature = Base64Url.Encode(retiredSigned.Signatures[0].Signature);
        request.RetiredSignedAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result.Fail(StewardError.AlreadyDecided, "This merge is no longer waiting for a signature.");
        }
        logger.LogInformation("Merge request {Id}: the holder of the retired number {Retired} signed", id, mpi);
        return await ViewAsync(db, request, ct);
    }

    /// <summary>
    /// The <c>patient.merge</c> body the patient of <paramref name="mpi"/> signs for request <paramref name="id"/>, made
    /// now so its time is inside the ledger's window; null when it is not theirs or no longer waiting.
    /// </summary>
    public async Task<JsonObject?> BodyToSignAsync(string mpi, int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.Set<MpiMergeRequest>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (request is null || (request.SurvivingMpi != mpi && request.RetiredMpi != mpi) || request.Status != MergeRequestStatus.WaitingForPatient) return null;
        if (await FacilityKeyAsync(db, request.FacilityId, ct) is not { } key) return null;
        // The survivor signs the very bytes the retired number's holder signed (one transaction id), while the network still takes them.
        if (request.SurvivingMpi == mpi && request.RetiredBody is { } signed && !IsStale(request)) return (JsonObject)JsonNode.Parse(signed)!;
        return _tx.PatientMerge(request.RetiredMpi, request.SurvivingMpi, key.Id, request.Reason).Body;
    }

    /// <summary>
    /// Completes request <paramref name="id"/> with <paramref name="patientSigned"/> (the body from <see cref="BodyToSignAsync"/>
    /// with the patient's signature, checked by the caller against the patient's keys): the facility signs the same
    /// bytes, the ledger commits it, and the register records the merge.
    /// </summary>
    public async Task<Result<MergeRequestView, StewardError>> CompleteAsync(string mpi, int id, Transaction patientSigned, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.Set<MpiMergeRequest>().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (request is null || request.SurvivingMpi != mpi) return Result.Fail(StewardError.NotFound, "There is no such merge for your number.");
        if (request.Status != MergeRequestStatus.WaitingForPatient) return Result.Fail(StewardError.AlreadyDecided, "This merge is no longer waiting for you.");
        if (await FacilityKeyAsync(db, request.FacilityId, ct) is not { } key)
            return Result.Fail(StewardError.Invalid, "The facility can no longer sign on the network; ask its steward.");
        // The patient signed a body; it must be exactly this merge, not another pair or reason.
        if (!IsThisMerge(patientSigned, request, key.Id))
            return Result.Fail(StewardError.Invalid, "What was signed is not this merge. Reload the page and sign again.");

        // The retired number's holder signed these same bytes: their signature goes along, and carries keys and grants over.
        var tx = patientSigned.SignWith(key);
        var carried = false;
        if (request is { RetiredBody: { } retiredBody, RetiredKid: { } kid, RetiredSignature: { } signature }
            && Transaction.Create(TxType.PatientMerge, (JsonObject)JsonNode.Parse(retiredBody)!) is { IsSuccess: true } theirs
            && theirs.Value!.IdText == patientSigned.IdText && Base64Url.TryDecode(signature, out var bytes))
        {
            tx = tx.WithSignature(kid, bytes);
            carried = true;
        }
        var result = await LedgerNode.Engine.SubmitAsync(tx, ct);
        if (!result.IsCommitted)
            return Result.Fail(StewardError.Invalid, $"The network refused the merge: {result.Message}");

        var now = clock.GetUtcNow();
        request.Status = MergeRequestStatus.Merged;
        request.DecidedAt = now;
        request.TxId = result.Receipt!.TransactionId;
        request.KeysCarried = carried;
        var item = await db.Set<MpiReviewItem>().SingleOrDefaultAsync(i => i.Id == request.ItemId, ct);
        if (item is not null) item.Status = ReviewStatus.Merged;
        var decision = new MpiDecision
        {
            ItemId = request.ItemId, Decision = ReviewDecision.Merge, SurvivingMpi = request.SurvivingMpi, RetiredMpi = request.RetiredMpi,
            StewardId = request.StewardId, StewardName = request.StewardName, FacilityId = request.FacilityId, Reason = request.Words, DecidedAt = now,
        };
        db.Add(decision);
        await db.SaveChangesAsync(ct);
        db.Add(new MpiRetiredNumber { RetiredMpi = request.RetiredMpi, SurvivingMpi = request.SurvivingMpi, DecisionId = decision.Id, RetiredAt = now });
        // The facilities' MRNs that named the retired number now name the survivor (remembered, so a split gives them back).
        var entries = await db.Set<MpiRegisterEntry>().Where(x => x.Mpi == request.RetiredMpi).ToListAsync(ct);
        foreach (var entry in entries) entry.Mpi = request.SurvivingMpi;
        request.RepointedEntries = JsonSerializer.Serialize(entries.Select(x => x.Id).ToArray());
        await db.SaveChangesAsync(ct);
        logger.LogInformation("MPI {Retired} merged into {Surviving} in transaction {Tx}", request.RetiredMpi, request.SurvivingMpi, request.TxId);
        return await ViewAsync(db, request, ct);
    }

    /// <summary>The patient says the two numbers are not both theirs: the merge is not made and the pair is marked not a match.</summary>
    public async Task<Result<MergeRequestView, StewardError>> DeclineAsync(string mpi, int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.Set<MpiMergeRequest>().SingleOrDefaultAsync(r => r.Id == id, ct);
        // Either number's holder may say the other is not them: one "no" is enough for two people.
        if (request is null || (request.SurvivingMpi != mpi && request.RetiredMpi != mpi)) return Result.Fail(StewardError.NotFound, "There is no such merge for your number.");
        if (request.Status != MergeRequestStatus.WaitingForPatient) return Result.Fail(StewardError.AlreadyDecided, "This merge is no longer waiting for you.");
        request.Status = MergeRequestStatus.Declined;
        request.DecidedAt = clock.GetUtcNow();
        var item = await db.Set<MpiReviewItem>().SingleOrDefaultAsync(i => i.Id == request.ItemId, ct);
        if (item is not null) item.Status = ReviewStatus.NotAMatch;
        db.Add(new MpiDecision
        {
            ItemId = request.ItemId, Decision = ReviewDecision.NotAMatch, StewardId = request.StewardId, StewardName = request.StewardName,
            FacilityId = request.FacilityId, Reason = request.SurvivingMpi == mpi ? "The patient declined the merge." : "The holder of the retired number declined the merge.",
            DecidedAt = request.DecidedAt.Value,
        });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(db, request, ct);
    }

    /// <summary>
    /// A steward of the merging facility splits merge <paramref name="id"/>: <c>patient.split</c> with a reason code, the
    /// retired number stands on its own again and the MRNs the merge repointed name it again. Records anchored under the
    /// surviving number while the merge stood stay with it (docs/mpi.md); the steward retracts any that were the other person's.
    /// </summary>
    public async Task<Result<MergeRequestView, StewardError>> SplitAsync(ClaimsPrincipal steward, int id, string? reason, string? words, CancellationToken ct = default)
    {
        if (await queue.ScopeAsync(steward, ct) is not { } scope) return Result.Fail(StewardError.Forbidden, "Only an MPI steward splits a merge.");
        var e = new FieldErrors();
        if (!SplitReasons.IsValid(reason)) e.Add("SplitReason", "Choose why the merge was wrong.");
        var why = (words ?? "").Trim();
        if (why.Length < 3) e.Add("SplitWords", "Say what you found, so the split can be understood later.");
        else if (why.Length > MpiStewardQueue.MaxReasonLength) e.Add("SplitWords", $"Keep the reason to {MpiStewardQueue.MaxReasonLength} characters; this has {why.Length}.");
        if (e.Any) return Result.Invalid(StewardError.Invalid, e.List);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.Set<MpiMergeRequest>().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (request is null || (scope.FacilityId is not null && request.FacilityId != scope.FacilityId))
            return Result.Fail(StewardError.NotFound, "This merge is not your facility's.");
        if (scope.FacilityId is null) return Result.Fail(StewardError.Forbidden, "Only the facility that made the merge splits it; leave it to its stewards.");
        if (request.Status != MergeRequestStatus.Merged) return Result.Fail(StewardError.AlreadyDecided, "Only a merge on the network is split.");
        if (await FacilityKeyAsync(db, request.FacilityId, ct) is not { } key)
            return Result.Fail(StewardError.Invalid, "This facility has no approved ledger key on this node, so it cannot sign a split.");

        var tx = _tx.PatientSplit(request.RetiredMpi, request.SurvivingMpi, key.Id, reason!).SignWith(key);
        var result = await LedgerNode.Engine.SubmitAsync(tx, ct);
        if (!result.IsCommitted) return Result.Fail(StewardError.Invalid, $"The network refused the split: {result.Message}");

        request.Status = MergeRequestStatus.Split;
        request.SplitReason = reason;
        request.SplitWords = why;
        request.SplitBy = scope.Name;
        request.SplitAt = clock.GetUtcNow();
        request.SplitTxId = tx.IdText;
        var retiredRow = await db.Set<MpiRetiredNumber>().SingleOrDefaultAsync(r => r.RetiredMpi == request.RetiredMpi, ct);
        if (retiredRow is not null) db.Remove(retiredRow);
        var ids = JsonSerializer.Deserialize<int[]>(request.RepointedEntries) ?? [];
        foreach (var entry in await db.Set<MpiRegisterEntry>().Where(x => ids.Contains(x.Id) && x.Mpi == request.SurvivingMpi).ToListAsync(ct))
            entry.Mpi = request.RetiredMpi;
        var item = await db.Set<MpiReviewItem>().SingleOrDefaultAsync(i => i.Id == request.ItemId, ct);
        // Two people after all: remembered so the pair is not proposed again.
        if (item is not null) item.Status = ReviewStatus.NotAMatch;
        db.Add(new MpiDecision
        {
            ItemId = request.ItemId, Decision = ReviewDecision.NotAMatch, StewardId = scope.UserId, StewardName = scope.Name, FacilityId = scope.FacilityId,
            Reason = "Split: " + why, DecidedAt = request.SplitAt.Value,
        });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Merge of {Retired} into {Surviving} split ({Reason}) in transaction {Tx}", request.RetiredMpi, request.SurvivingMpi, reason, tx.IdText);
        return await ViewAsync(db, request, ct);
    }

    private async Task<LedgerKeyPair?> FacilityKeyAsync(ApplicationDbContext db, string facilityId, CancellationToken ct)
    {
        if (ledgerHost is null) return null;
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == facilityId, ct);
        if (facility is null || facility.Status != FacilityStatus.Approved || facility.NodeKeyId is null) return null;
        var key = LedgerNode.Keys.Find(ServerKeyVault.FacilityNode(facility.Id));
        return key is not null && key.Id == facility.NodeKeyId && LedgerNode.Reader.Node(key.Id)?.Status == NodeStatus.Approved ? key : null;
    }

    private async Task<MergeRequestView> ViewAsync(ApplicationDbContext db, MpiMergeRequest r, CancellationToken ct)
        => (await ViewsAsync(db, [r], ct))[0];

    private async Task<IReadOnlyList<MergeRequestView>> ViewsAsync(ApplicationDbContext db, IReadOnlyList<MpiMergeRequest> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.FacilityId).Distinct().ToList();
        var names = await db.Facilities.AsNoTracking().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        var retired = rows.Select(r => r.RetiredMpi).Distinct().ToList();
        var accounts = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null && retired.Contains(p.MpiNumber)).Select(p => p.MpiNumber!).ToListAsync(ct);
        return [.. rows.Select(r => new MergeRequestView(r.Id, r.RetiredMpi, r.SurvivingMpi, r.FacilityId, names.GetValueOrDefault(r.FacilityId, "a facility"),
            r.Reason, r.Words, r.StewardName, r.CreatedAt, r.Status, r.DecidedAt, r.TxId, r.SplitReason, r.SplitWords, r.SplitAt,
            accounts.Contains(r.RetiredMpi), r.RetiredSignedAt, r.RetiredBody is not null && IsStale(r), r.KeysCarried))];
    }

    private static bool IsThisMerge(Transaction signed, MpiMergeRequest request, string facility) =>
        PayloadParser.Parse(signed) is { IsSuccess: true, Value: PatientMergePayload p }
        && p.Retired == request.RetiredMpi && p.Surviving == request.SurvivingMpi && p.Facility == facility && p.Reason == request.Reason;

    /// <summary>
    /// The body the retired number's holder signed is too old for the network (its time must be within the ledger's
    /// skew of the block; half of it is kept as a margin for the survivor's signing and the block): signed again, or not carried.
    /// </summary>
    private bool IsStale(MpiMergeRequest request)
    {
        if (request.RetiredBody is null || ledgerHost is null) return false;
        var ts = JsonNode.Parse(request.RetiredBody)?["ts"]?.GetValue<long>() ?? 0;
        var skew = TimeSpan.FromMilliseconds(ledgerHost.Engine.Genesis.Parameters.MaxSkewMs);
        return clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(ts) > skew / 2;
    }

    /// <summary>
    /// Mails the patient of the surviving number (and the retired number's holder, when it is an account here) that a
    /// merge waits for them; the request is saved and on their "My identity" whether or not the mail goes.
    /// </summary>
    private async Task MailWaitingAsync(ApplicationDbContext db, MpiMergeRequest request, CancellationToken ct)
    {
        if (mails is null) return;
        var numbers = new[] { request.SurvivingMpi, request.RetiredMpi };
        var people = await (from profile in db.PatientProfiles
                            join user in db.Users on profile.UserId equals user.Id
                            where profile.MpiNumber != null && numbers.Contains(profile.MpiNumber) && user.EmailConfirmed && user.Email != null
                            select new { profile.MpiNumber, user.Email, user.DisplayName, profile.FullName, profile.TimeZone }).ToListAsync(ct);
        var facility = await db.Facilities.AsNoTracking().Where(f => f.Id == request.FacilityId).Select(f => f.Name).SingleOrDefaultAsync(ct) ?? "A facility";
        foreach (var to in people)
        {
            var name = !string.IsNullOrWhiteSpace(to.DisplayName) ? to.DisplayName : !string.IsNullOrWhiteSpace(to.FullName) ? to.FullName : "there";
            try
            {
                await mails.MergeWaitingAsync(new HealthPortal.Features.Notices.NoticeRecipient(to.Email!, name, to.TimeZone), facility, request.CreatedAt, request.Id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The merge request {Id} could not be mailed", request.Id);
            }
        }
    }
}
