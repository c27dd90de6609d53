using HealthPortal.Features.Ehr;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;

namespace HealthPortal.Features.Corrections;

/// <summary>Why a correction step did not happen.</summary>
public enum CorrectionError
{
    None,
    /// <summary>No such record or request, or not one the caller may see (not told apart).</summary>
    NotFound,
    /// <summary>The caller may not do this (another patient, staff of another facility).</summary>
    Forbidden,
    /// <summary>Bad input: empty or over-long words, a decline without its reason; the result names the field.</summary>
    Invalid,
    /// <summary>The facility's store is not on this node.</summary>
    NoStore,
    /// <summary>The record was corrected already: the newest version is the one to correct.</summary>
    AlreadyCorrected,
    /// <summary>The request was answered already.</summary>
    Closed,
    /// <summary>The correction was saved and linked, but not sent for the patient's co-signature (the message says why; staff can send it again).</summary>
    NotSent,
}

/// <summary>Where one version of a record stands.</summary>
public enum VersionStatus
{
    /// <summary>Anchored on the ledger (co-signed by the patient).</summary>
    Anchored,
    /// <summary>The patient rejected it: never anchored.</summary>
    Rejected,
    /// <summary>Waiting for the patient's co-signature.</summary>
    Waiting,
    /// <summary>In the facility's store, never sent for confirmation (or withdrawn).</summary>
    NotAnchored,
}

/// <summary>
/// One version of a record as its history shows it: its content (when the store serves it), when it was written,
/// why and by whom (for a correction), and its anchor with the integrity verdict when anchored.
/// </summary>
public sealed record RecordVersionView(
    int Number, string RecordId, EhrRecord? Record, EhrVersionLink? Made, VersionStatus Status, RecordEntry? Anchor,
    RecordIntegrity? Integrity, string? RejectCode, bool IsCurrent);

/// <summary>A patient's correction request with the record it names, as staff see it on their desk.</summary>
public sealed record CorrectionRequestView(EhrCorrectionRequest Request, string FacilityId, string? RecordSummary, string? RecordKind);

/// <summary>What a correction sent for the patient's co-signature: the anchoring confirmation and how many records it replaced.</summary>
public sealed record CorrectionSent(Anchoring.AnchorConfirmationView Confirmation, int Replaced);
