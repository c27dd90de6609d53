namespace HealthPortal.Ledger.Transactions;

/// <summary>The transaction types of DESIGN.md, as they appear on the wire.</summary>
public static class TxType
{
    public const string NodeRegister = "node.register";
    public const string NodeApprove = "node.approve";
    public const string NodeReject = "node.reject";
    public const string NodeRevoke = "node.revoke";
    public const string PatientRegister = "patient.register";
    public const string KeyAdd = "key.add";
    public const string KeyRevoke = "key.revoke";
    public const string KeyRecover = "key.recover";
    public const string RecordAnchor = "record.anchor";
    public const string GrantIssue = "grant.issue";
    public const string GrantRevoke = "grant.revoke";
    public const string AccessLog = "access.log";
    /// <summary>A new consortium admin (an Ethereum wallet), signed by an active admin and by the wallet itself.</summary>
    public const string AdminAdd = "admin.add";
    /// <summary>Removes a consortium admin (key or wallet), signed by another active admin; never the last one.</summary>
    public const string AdminRevoke = "admin.revoke";
    /// <summary>A patient (or, for a child, the guardian with a facility) lets another patient account act for them (Transactions/DelegationPayloads.cs).</summary>
    public const string DelegationIssue = "delegation.issue";
    /// <summary>Ends a delegation, signed by the patient or the delegate.</summary>
    public const string DelegationRevoke = "delegation.revoke";
    /// <summary>A facility withdraws a record it anchored (filed under the wrong patient, entered in error, a duplicate), with a reason code.</summary>
    public const string RecordRetract = "record.retract";
    /// <summary>A steward's facility and the patient retire one of two MPI numbers of one person in favour of the other (MergePayloads.cs).</summary>
    public const string PatientMerge = "patient.merge";
    /// <summary>The merging facility undoes a wrong merge.</summary>
    public const string PatientSplit = "patient.split";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        NodeRegister, NodeApprove, NodeReject, NodeRevoke, PatientRegister, KeyAdd, KeyRevoke, KeyRecover,
        RecordAnchor, GrantIssue, GrantRevoke, AccessLog, AdminAdd, AdminRevoke,
        DelegationIssue, DelegationRevoke, RecordRetract,
        PatientMerge, PatientSplit,
    };
}
