using HealthPortal.Features.Keys;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Anchoring;

/// <summary>What the home node answered to an offer: an HTTP status and, when refused, why.</summary>
public sealed record OfferAnswer(int Status, string? Problem)
{
    public static OfferAnswer Refused(int status, string problem) => new(status, problem);
}

/// <summary>
/// The patient's side of a co-signature offered by a facility on another node (<see cref="CosignInbox"/>): the same
/// steps as <see cref="AnchorWorkflow"/> for a save made here — review, fresh anchors, co-sign and submit, or refuse —
/// with the facility's node reached over the node API where the local flow would use the facility's key. The patient's
/// signatures are checked here against their keys on this node's replica, and the co-signed anchors are submitted
/// here (forwarded to the leader under Raft); the facility's node sees them commit on its own replica.
/// </summary>
public sealed class RemoteConfirmations(
    CosignInbox inbox, CosignRelay relay, LedgerHost ledger, AnchorEvents events, TimeProvider clock, ILogger<RemoteConfirmations> logger,
    IOptions<AnchoringOptions>? options = null)
{
    // Per confirmation id (issue 17): an offer, a refresh, a confirm or a reject of one confirmation never interleave,
    // while different patients' confirmations proceed side by side. Static like the local workflow's.
    private static readonly KeyedLock Gate = new();
    private readonly PublicKeyCache _keys = new(1_000);

    public TimeSpan FreshFor { get; } = (options?.Value ?? new()).FreshFor;

    public bool Holds(string id) => inbox.Holds(id);

    // ---- offers from other nodes ------------------------------------------------------------------------

    /// <summary>
    /// Takes an offer from <paramref name="caller"/>: every anchor must be a <c>record.anchor</c> signed by the named
    /// facility (approved on this replica) for one patient whose account is here. Offering the same id again replaces a
    /// pending one (fresh anchors) and leaves a decided one as it is.
    /// </summary>
    public async Task<OfferAnswer> AcceptAsync(NodeCaller caller, JsonObject offer, Func<string, Task<bool>> isLocalConfirmation, CancellationToken ct = default)
    {
        var parsed = Parse(offer, out var problem);
        if (parsed is null) return OfferAnswer.Refused(422, problem!);
        if (!await relay.IsLocalPatientAsync(parsed.Mpi, ct)) return OfferAnswer.Refused(404, "no patient with this MPI number has an account on this node");
        if (await isLocalConfirmation(parsed.Id)) return OfferAnswer.Refused(409, "a confirmation with this id already exists here");
        parsed.OriginNode = caller.Node;
        var turn = await Gate.AcquireAsync(parsed.Id, ct);
        try
        {
            var existing = inbox.Find(parsed.Id);
            if (existing is not null && (existing.Facility != parsed.Facility || existing.Mpi != parsed.Mpi))
                return OfferAnswer.Refused(409, "a confirmation with this id, of another facility or patient, is already here");
            if (existing is { Status: not AnchorStatus.Pending }) return new OfferAnswer(200, null);
            if (existing is not null)
            {
                existing.Records = parsed.Records;
                existing.FacilityName = parsed.FacilityName;
                parsed = existing;
            }
            else parsed.ReceivedAt = clock.GetUtcNow();
            inbox.Save(parsed);
        }
        finally
        {
            turn.Dispose();
        }
        logger.LogInformation("Confirmation {Id} of facility {Facility} offered by node {Node} waits for patient {Mpi}", parsed.Id, parsed.Facility, caller.Node, parsed.Mpi);
        events.Raise(new AnchorChange(parsed.Id, parsed.Facility, parsed.Mpi, parsed.Status));
        return new OfferAnswer(202, null);
    }

    private RemoteConfirmation? Parse(JsonObject offer, out string? problem)
    {
        problem = null;
        try
        {
            var id = offer["id"]?.GetValue<string>();
            var facility = offer["facility"]?.GetValue<string>();
            var name = offer["facilityName"]?.GetValue<string>();
            var created = offer["createdAt"]?.GetValue<long>();
            if (id is null || !CosignInbox.IdPattern().IsMatch(id) || facility is null || created is null || offer["records"] is not JsonArray records
                || records.Count is 0 or > CosignRelay.MaxRecords)
            {
                problem = $"an offer needs id, facility, createdAt and 1 to {CosignRelay.MaxRecords} records";
                return null;
            }
            var result = new RemoteConfirmation
            {
                Id = id, Facility = facility, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(created.Value),
                // The name shown to the patient is the one the facility registered on the ledger, not what the offer says.
                FacilityName = ledger.Reader.Node(facility)?.Name ?? name ?? facility,
            };
            foreach (var item in records.OfType<JsonObject>())
            {
                var row = new RemoteConfirmationRecord
                {
                    RecordId = item["recordId"]?.GetValue<string>() ?? "", Kind = item["kind"]?.GetValue<string>() ?? "", Date = item["date"]?.GetValue<string>() ?? "",
                    Summary = item["summary"]?.GetValue<string>() ?? "", Hash = item["hash"]?.GetValue<string>() ?? "", TransactionJson = item["tx"]?.GetValue<string>() ?? "",
                    FhirJson = item["fhir"]?.GetValue<string>(),
                };
                // Nobody signs what they cannot read: an offer carries each record's content, and it must be what was hashed.
                if (AnchorWorkflow.ContentOf(row.RecordId, row.Hash, row.FhirJson).Problem is not null)
                {
                    problem = $"record {row.RecordId}: the content is missing or does not hash to the anchor";
                    return null;
                }
                if (row.Summary.Length > 500 || HealthPortal.Ledger.Text.SafeText.Check(row.Summary, multiline: false) is not null)
                {
                    problem = $"record {row.RecordId}: the summary is not text this portal shows";
                    return null;
                }
                if (TransactionCodec.Parse(row.TransactionJson) is not { IsSuccess: true, Value: { } tx })
                {
                    problem = $"record {row.RecordId}: the anchor is not a transaction";
                    return null;
                }
                result.Mpi = tx.GetString("mpi") ?? "";
                if (CosignRelay.AnchorProblem(tx, row, facility, result.Mpi, ledger.Reader, _keys) is { } anchorProblem)
                {
                    problem = $"record {row.RecordId}: {anchorProblem}";
                    return null;
                }
                row.TransactionId = tx.IdText;
                result.Records.Add(row);
            }
            if (result.Records.Count != records.Count || result.Records.Select(r => r.RecordId).Distinct().Count() != result.Records.Count
                || result.Records.Select(r => TransactionCodec.Parse(r.TransactionJson).Value!.GetString("mpi")).Distinct().Count() != 1)
            {
                problem = "the records must be distinct and of one patient";
                return null;
            }
            return result;
        }
        catch (InvalidOperationException)
        {
            problem = "a field has the wrong JSON type";
            return null;
        }
    }

    // ---- the patient --------------------------------------------------------------------------------------

    /// <summary>The content of each record, hash-checked again as it is read from the inbox file.</summary>
    public IReadOnlyList<RecordContent>? ContentOf(string mpi, string id) =>
        inbox.Find(id) is { } confirmation && confirmation.Mpi == mpi
            ? [.. confirmation.Records.Select(r => AnchorWorkflow.ContentOf(r.RecordId, r.Hash, r.FhirJson))]
            : null;

    public AnchorConfirmationView? ForPatient(string mpi, string id)
    {
        var confirmation = inbox.Find(id);
        if (confirmation is null || confirmation.Mpi != mpi) return null;
        Reconcile(confirmation);
        return View(confirmation);
    }

    public IReadOnlyList<AnchorConfirmationView> WaitingFor(string mpi) =>
        inbox.All().Where(c => c.Mpi == mpi && c.Status == AnchorStatus.Pending).Where(c => !Reconcile(c)).Select(View).ToList();

    /// <summary>The bodies to sign; anchors older than <see cref="FreshFor"/> are first renewed by the facility's node (same content).</summary>
    public async Task<IReadOnlyList<AnchorToSign>?> ToSignAsync(string mpi, string id)
    {
        var turn = await Gate.AcquireAsync(id);
        try
        {
            var confirmation = inbox.Find(id);
            if (confirmation is null || confirmation.Mpi != mpi || confirmation.Status != AnchorStatus.Pending) return null;
            if (confirmation.Records.Any(r => Age(Parse(r)) > FreshFor) && await relay.RefreshAsync(confirmation) is { } fresh)
            {
                var renewed = Parse(fresh, out var problem);
                if (renewed is not null && renewed.Id == id && renewed.Facility == confirmation.Facility && renewed.Mpi == mpi
                    && renewed.Records.Select(r => r.RecordId).SequenceEqual(confirmation.Records.Select(r => r.RecordId)))
                {
                    confirmation.Records = renewed.Records;
                    confirmation.Problem = null;
                    inbox.Save(confirmation);
                }
                else logger.LogWarning("Fresh anchors for confirmation {Id} refused: {Problem}", id, problem ?? "they are not the same save");
            }
            return confirmation.Records.Select(Parse).Select(t => new AnchorToSign(t.IdText, t.Type, (JsonObject)t.Body.DeepClone())).ToList();
        }
        finally
        {
            turn.Dispose();
        }
    }

    /// <summary>As <see cref="AnchorWorkflow.ConfirmAsync"/>: the patient's signatures over exactly the stored bodies, by an active key of theirs on this replica; then submitted here.</summary>
    public async Task<AnchorOutcome> ConfirmAsync(string mpi, string id, PatientSigner signer, IReadOnlyList<PatientSignature> signatures)
    {
        var turn = await Gate.AcquireAsync(id);
        try
        {
            var confirmation = inbox.Find(id);
            if (confirmation is null) return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation.");
            if (confirmation.Mpi != mpi) return AnchorOutcome.Fail(AnchorError.Forbidden, "These records are not yours to confirm.");
            if (Reconcile(confirmation) || confirmation.Status == AnchorStatus.Anchored) return AnchorOutcome.Ok(AnchorStatus.Anchored, confirmation.BlockHeight);
            if (confirmation.Status == AnchorStatus.Rejected)
                return AnchorOutcome.Fail(AnchorError.NotPending, "You said this was not your visit; it can no longer be confirmed.", AnchorStatus.Rejected);

            // The same checks as a local confirmation: the ledger's copy of the signer (browser key or wallet), each anchor once, exactly.
            var cosigned = AnchorWorkflow.Cosign(ledger.Reader, mpi, signer, [.. confirmation.Records.Select(r => (r.TransactionId, Parse(r)))], signatures,
                "Every record of this visit must be signed, each once.");
            if (!cosigned.IsOk) return Fail(cosigned.Error, cosigned.Message!);
            var signed = cosigned.Value!;
            var skew = TimeSpan.FromMilliseconds(ledger.Engine.Genesis.Parameters.MaxSkewMs);
            if (signed.Any(t => Age(t) > skew - TimeSpan.FromSeconds(15))) return Fail(AnchorError.Expired, "This took too long and expired. Please confirm again.");

            var pending = signed.Where(t => ledger.Reader.Record(confirmation.Facility, t.GetString("record")!) is null).ToList();
            var results = await Task.WhenAll(pending.Select(t => ledger.Engine.SubmitAsync(t).AsTask()));
            if (Reconcile(confirmation))
            {
                logger.LogInformation("Confirmation {Id} of facility {Facility} (another node) anchored at block {Height}", id, confirmation.Facility, confirmation.BlockHeight);
                return AnchorOutcome.Ok(AnchorStatus.Anchored, confirmation.BlockHeight);
            }
            var refused = results.FirstOrDefault(r => !r.IsCommitted);
            confirmation.Problem = refused is null ? "Not every record reached the ledger. Try again." : AnchorWorkflow.Explain(refused);
            inbox.Save(confirmation);
            events.Raise(new AnchorChange(id, confirmation.Facility, mpi, confirmation.Status));
            return Fail(AnchorError.LedgerRefused, confirmation.Problem);
        }
        finally
        {
            turn.Dispose();
        }

        static AnchorOutcome Fail(AnchorError code, string error) => AnchorOutcome.Fail(code, error, AnchorStatus.Pending);
    }

    /// <summary>The patient refuses (reason checked by the caller); the facility's node is told now, or by the relay's retries.</summary>
    public async Task<AnchorOutcome> RejectAsync(string mpi, string id, string reason)
    {
        RemoteConfirmation? confirmation;
        var turn = await Gate.AcquireAsync(id);
        try
        {
            confirmation = inbox.Find(id);
            if (confirmation is null) return AnchorOutcome.Fail(AnchorError.NotFound, "There is no such confirmation.");
            if (confirmation.Mpi != mpi) return AnchorOutcome.Fail(AnchorError.Forbidden, "These records are not yours to reject.");
            Reconcile(confirmation);
            if (confirmation.Status == AnchorStatus.Rejected) return AnchorOutcome.Ok(AnchorStatus.Rejected);
            if (confirmation.Status == AnchorStatus.Anchored)
                return AnchorOutcome.Fail(AnchorError.NotPending, $"These records are already on the ledger (block {confirmation.BlockHeight}).", AnchorStatus.Anchored);
            confirmation.Status = AnchorStatus.Rejected;
            confirmation.RejectReason = reason;
            confirmation.RejectedAt = clock.GetUtcNow();
            confirmation.Problem = null;
            inbox.Save(confirmation);
        }
        finally
        {
            turn.Dispose();
        }
        events.Raise(new AnchorChange(id, confirmation.Facility, mpi, AnchorStatus.Rejected));
        await DeliverRejectionAsync(confirmation);
        return AnchorOutcome.Ok(AnchorStatus.Rejected);
    }

    /// <summary>Tells the facility's node of a rejection it has not heard of yet (also the relay's retry).</summary>
    public async Task DeliverRejectionAsync(RemoteConfirmation confirmation, CancellationToken ct = default)
    {
        if (confirmation.Status != AnchorStatus.Rejected || confirmation.RejectDelivered) return;
        if (!await relay.SendRejectionAsync(confirmation, ct)) return;
        var turn = await Gate.AcquireAsync(confirmation.Id, ct);
        try
        {
            if (inbox.Find(confirmation.Id) is { } current)
            {
                current.RejectDelivered = true;
                inbox.Save(current);
            }
        }
        finally
        {
            turn.Dispose();
        }
    }

    /// <summary>Rejections the facility's node has not been told of yet.</summary>
    public IReadOnlyList<RemoteConfirmation> UndeliveredRejections() =>
        inbox.All().Where(c => c.Status == AnchorStatus.Rejected && !c.RejectDelivered).ToList();

    // ---- helpers --------------------------------------------------------------------------------------------

    /// <summary>Anchored once the ledger holds every record (the ledger is the truth); true when that changed it.</summary>
    private bool Reconcile(RemoteConfirmation confirmation)
    {
        if (confirmation.Status != AnchorStatus.Pending) return false;
        var entries = confirmation.Records.Select(r => (Row: r, Entry: ledger.Reader.Record(confirmation.Facility, r.RecordId))).ToList();
        foreach (var (row, entry) in entries) row.BlockHeight = entry?.Height;
        if (entries.Any(e => e.Entry is null)) return false;
        confirmation.Status = AnchorStatus.Anchored;
        confirmation.BlockHeight = entries.Max(e => e.Entry!.Height);
        confirmation.AnchoredAt = clock.GetUtcNow();
        confirmation.Problem = null;
        inbox.Save(confirmation);
        events.Raise(new AnchorChange(confirmation.Id, confirmation.Facility, confirmation.Mpi, AnchorStatus.Anchored));
        return true;
    }

    private static AnchorConfirmationView View(RemoteConfirmation c) => new(
        c.Id, c.Facility, c.FacilityName, c.Facility, c.Mpi, null, "", c.CreatedAt, c.Status, c.Problem, c.RejectReason, c.RejectedAt, c.AnchoredAt, c.BlockHeight,
        c.Records.Select(r =>
        {
            var tx = Parse(r);
            return new AnchorRecordView(r.RecordId, r.Kind, r.Date, r.Summary, r.Hash, r.TransactionId, tx.Type, System.Text.Encoding.UTF8.GetString(tx.SigningBytes), r.BlockHeight);
        }).ToList());

    private static Transaction Parse(RemoteConfirmationRecord row) => TransactionCodec.Parse(row.TransactionJson).ValueOrThrow();

    private TimeSpan Age(Transaction tx) => clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(tx.Timestamp);
}
