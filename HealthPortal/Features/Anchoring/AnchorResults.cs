using HealthPortal.Features.Records;

namespace HealthPortal.Features.Anchoring;

/// <summary>Why an anchoring step did not happen.</summary>
public enum AnchorError
{
    None,
    /// <summary>No such confirmation, or not one the caller may see (the two are not told apart).</summary>
    NotFound,
    /// <summary>The caller may not do this (staff of another facility, another patient).</summary>
    Forbidden,
    /// <summary>Bad input from the caller: no records, records of another patient or facility, unknown kind, missing reason.</summary>
    Invalid,
    /// <summary>The MPI number is not a patient registered on the network.</summary>
    UnknownPatient,
    /// <summary>The facility has no approved node key on the ledger.</summary>
    FacilityNotOnLedger,
    /// <summary>The content of a record to be signed cannot be shown, or is not what was hashed: nobody signs what they cannot read.</summary>
    ContentUnavailable,
    /// <summary>A record of the save is already anchored or waiting in another confirmation.</summary>
    DuplicateRecord,
    /// <summary>The confirmation was rejected (or anchored) and can no longer change.</summary>
    NotPending,
    /// <summary>The signing key is not an active key of this patient on the ledger.</summary>
    KeyNotActive,
    /// <summary>What was signed is not exactly what was prepared.</summary>
    BodyMismatch,
    /// <summary>A signature does not verify against the patient's key.</summary>
    BadSignature,
    /// <summary>The prepared anchors are too old for the ledger's clock window: ask for fresh ones and sign again.</summary>
    Expired,
    /// <summary>The same step was taken a moment ago (a reminder).</summary>
    TooSoon,
    /// <summary>The patient has no confirmed e-mail address to remind.</summary>
    NoAddress,
    /// <summary>The ledger refused the submission; the confirmation stays pending with <see cref="AnchorOutcome.Error"/>.</summary>
    LedgerRefused,
    /// <summary>The patient's signer (their wallet) did not sign: rejected, locked, another account or chain. Nothing was submitted.</summary>
    SignerRefused,
}

/// <summary>The result of confirming or rejecting: the status it came to and, once anchored, the block.</summary>
public sealed record AnchorOutcome(AnchorError Code, AnchorStatus? Status, long? Height, string? Error)
{
    public bool Succeeded => Code == AnchorError.None;
    public static AnchorOutcome Ok(AnchorStatus status, long? height = null) => new(AnchorError.None, status, height, null);
    public static AnchorOutcome Fail(AnchorError code, string error, AnchorStatus? status = null) => new(code, status, null, error);
}

/// <summary>The result of preparing a save for the patient's confirmation.</summary>
public sealed record PrepareOutcome(AnchorError Code, AnchorConfirmationView? Confirmation, string? Error)
{
    public bool Succeeded => Code == AnchorError.None;
}

/// <summary>One record of a confirmation as people see it, with the exact text the patient's key signs and the patient's decision on it.</summary>
public sealed record AnchorRecordView(string RecordId, string Kind, string Date, string Summary, string Hash, string TransactionId, string Type, string CanonicalText, long? BlockHeight)
{
    /// <summary>The kind as the reader reads it (pages only; nothing stored or signed).</summary>
    public string KindLabel => RecordKinds.SingularText(Kind);

    public RecordDecision Decision { get; init; } = RecordDecision.Open;
    public string? RejectCode { get; init; }
    public string? RejectWords { get; init; }
    public DateTimeOffset? RejectedAt { get; init; }

    public bool IsRejected => Decision == RecordDecision.Rejected;

    /// <summary>For a correction of an anchored record: the id of the version it replaces (its anchor's <c>supersedes</c>).</summary>
    public string? Supersedes { get; init; }
}

/// <summary>Why a record's content cannot be shown for signing.</summary>
public enum ContentProblem
{
    /// <summary>The facility's store does not answer with it (moved, deleted, store down).</summary>
    Unavailable,
    /// <summary>What the store holds now hashes to something else than what the facility signed: it changed after the save.</summary>
    Altered,
}

/// <summary>
/// The full clinical content of one record of a confirmation: the FHIR resource parsed from the very bytes whose hash
/// the anchor carries (checked here), or why it cannot be shown.
/// </summary>
public sealed record RecordContent(string RecordId, Hl7.Fhir.Model.Resource? Fhir, ContentProblem? Problem)
{
    public bool IsShown => Fhir is not null;
}

/// <summary>The patient's dispute of one record of a save: a reason code and, optionally, their words.</summary>
public sealed record RecordDispute(string RecordId, string Code, string? Words = null);

/// <summary>A confirmation as its facility's staff and its patient see it.</summary>
public sealed record AnchorConfirmationView(
    string Id, string FacilityId, string FacilityName, string FacilityNodeId, string Mpi, string? PatientName, string StaffUserId, DateTimeOffset CreatedAt,
    AnchorStatus Status, string? Problem, string? RejectReason, DateTimeOffset? RejectedAt, DateTimeOffset? AnchoredAt, long? BlockHeight,
    IReadOnlyList<AnchorRecordView> Records)
{
    /// <summary>The records the patient has not disputed: these are signed.</summary>
    public IReadOnlyList<AnchorRecordView> ToConfirm => [.. Records.Where(r => !r.IsRejected)];

    public IReadOnlyList<AnchorRecordView> Disputed => [.. Records.Where(r => r.IsRejected)];

    /// <summary>True when a committed block's transaction concerns one of these records (then the page re-reads).</summary>
    public bool Concerns(HealthPortal.Ledger.Transactions.Transaction tx) =>
        tx.Type == HealthPortal.Ledger.Transactions.TxType.RecordAnchor
        && tx.GetString("facility") == FacilityNodeId
        && Records.Any(r => r.RecordId == tx.GetString("record"));
}

/// <summary>What the patient's browser signs for one record: the stored body under its type.</summary>
public sealed record AnchorToSign(string TransactionId, string Type, System.Text.Json.Nodes.JsonObject Body);

/// <summary>The patient's signature over one prepared anchor, with the body their browser signed.</summary>
public sealed record PatientSignature(string TransactionId, System.Text.Json.Nodes.JsonObject Body, string Signature);

/// <summary>The facility dashboard's lists.</summary>
public sealed record FacilityAnchorLists(
    IReadOnlyList<AnchorConfirmationView> Today, IReadOnlyList<AnchorConfirmationView> Waiting, IReadOnlyList<AnchorConfirmationView> Rejected)
{
    public int TodayRecordCount => Today.Sum(c => c.Records.Count);
    public static readonly FacilityAnchorLists Empty = new([], [], []);
}
