namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// <c>patient.merge</c>: one person held two MPI numbers; <see cref="Retired"/> points to <see cref="Surviving"/> from
/// now on. Signed by <see cref="Facility"/> (the steward's) and an active key of the surviving number; a third
/// signature by an active key of the retired number carries that number's keys and grants over (docs/mpi.md,
/// "Merge and split"). <see cref="Reason"/> is a <see cref="MergeReasons"/> code: no words, no demographics.
/// </summary>
public sealed record PatientMergePayload(string Retired, string Surviving, string Facility, string Reason) : TxPayload;

/// <summary>
/// <c>patient.split</c>: undoes the standing merge of <see cref="Retired"/> into <see cref="Surviving"/>, signed by
/// <see cref="Facility"/>, the facility that signed the merge. <see cref="Reason"/> is a <see cref="SplitReasons"/> code.
/// </summary>
public sealed record PatientSplitPayload(string Retired, string Surviving, string Facility, string Reason) : TxPayload;

/// <summary>Why a steward merged two MPI numbers: a closed set of codes, so no typed words reach the ledger.</summary>
public static class MergeReasons
{
    /// <summary>The same person registered twice (a second sign-up, or a walk-in given a new number).</summary>
    public const string DuplicateRegistration = "duplicate-registration";
    /// <summary>The matcher or a facility's steward found two numbers of one person and the patient confirmed it.</summary>
    public const string SamePerson = "same-person";

    public static readonly IReadOnlyList<string> All = [DuplicateRegistration, SamePerson];

    public static bool IsValid(string? code) => code is DuplicateRegistration or SamePerson;
}

/// <summary>Why a steward undid a merge.</summary>
public static class SplitReasons
{
    /// <summary>The two numbers belong to different people (twins, a common name): the merge was wrong.</summary>
    public const string DifferentPeople = "different-people";
    /// <summary>The merge was sent by mistake (the wrong pair picked from the queue).</summary>
    public const string EnteredInError = "entered-in-error";

    public static readonly IReadOnlyList<string> All = [DifferentPeople, EnteredInError];

    public static bool IsValid(string? code) => code is DifferentPeople or EnteredInError;
}
