namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// <c>delegation.issue</c>: patient <see cref="Mpi"/> lets the portal account with MPI number <see cref="Delegate"/>
/// act for them with <see cref="Powers"/> (<see cref="DelegationPowers"/> codes) on [<see cref="From"/>,
/// <see cref="Until"/>) (Unix milliseconds). <see cref="Kind"/> is a <see cref="DelegationKinds"/> code: a caregiver
/// delegation is signed by the patient; a guardianship by the guardian (the delegate) and by the approved facility
/// <see cref="Facility"/> that checked the child's documents (the child has no key to sign with). The delegation's id
/// is the transaction id, as a grant's is. Only ids and codes: who the people are stays in the nodes' databases.
/// </summary>
public sealed record DelegationIssuePayload(string Mpi, string Delegate, IReadOnlyList<string> Powers, long From, long Until, string Kind, string? Facility) : TxPayload;

/// <summary><c>delegation.revoke</c>: ends delegation <see cref="Delegation"/> of patient <see cref="Mpi"/>; signed by the patient or the delegate.</summary>
public sealed record DelegationRevokePayload(string Mpi, string Delegation) : TxPayload;

/// <summary>
/// <c>patient.register</c> of a patient without a key of their own (a child): the MPI number and the salted hash of
/// the demographics, signed by the approved <see cref="Facility"/> that registers them. No proof of work: the
/// facility is accountable for what it signs. The patient's first key comes later by a facility-attested
/// <c>key.add</c>; until then a guardian acts under a guardianship delegation.
/// </summary>
public sealed record KeylessRegisterPayload(string Mpi, string DemographicsHash, string Facility) : TxPayload;

/// <summary>What a delegate may do for the patient (closed set: codes on the ledger, words in the portal).</summary>
public static class DelegationPowers
{
    /// <summary>Read the patient's records and access history (checked by the portal at read time; no transaction).</summary>
    public const string View = "view";
    /// <summary>Issue and revoke grants (<c>grant.issue</c>, <c>grant.revoke</c>).</summary>
    public const string Share = "share";
    /// <summary>Co-sign the patient's records (<c>record.anchor</c>).</summary>
    public const string Cosign = "cosign";
    /// <summary>Add and revoke the patient's device keys (<c>key.add</c>, <c>key.revoke</c>).</summary>
    public const string Devices = "devices";

    public static readonly IReadOnlyList<string> All = [View, Share, Cosign, Devices];

    public static bool IsValid(string? code) => code is View or Share or Cosign or Devices;

    /// <summary>The power a delegate needs to sign a transaction of <paramref name="type"/> for the patient, or null when no delegate may.</summary>
    public static string? For(string type) => type switch
    {
        TxType.GrantIssue or TxType.GrantRevoke => Share,
        TxType.RecordAnchor => Cosign,
        TxType.KeyAdd or TxType.KeyRevoke => Devices,
        _ => null,
    };
}

/// <summary>The kinds of delegation.</summary>
public static class DelegationKinds
{
    /// <summary>An adult patient chose the delegate (e.g. an adult child for an elderly parent).</summary>
    public const string Caregiver = "caregiver";
    /// <summary>A parent or legal guardian of a child, attested by a facility.</summary>
    public const string Guardian = "guardian";

    public static readonly IReadOnlyList<string> All = [Caregiver, Guardian];

    public static bool IsValid(string? code) => code is Caregiver or Guardian;
}
