namespace HealthPortal.Ledger.Transactions;

/// <summary><c>patient.merge</c> and <c>patient.split</c> (docs/mpi.md, "Merge and split").</summary>
public sealed partial class TransactionFactory
{
    /// <summary>
    /// patient.merge of <paramref name="retired"/> into <paramref name="surviving"/>: sign with <paramref name="facility"/>'s
    /// key and a key of the surviving number, and also with a key of the retired number to carry its keys and grants over.
    /// </summary>
    /// <param name="reason">A <see cref="MergeReasons"/> code.</param>
    public Transaction PatientMerge(string retired, string surviving, string facility, string reason)
        => Make(TxType.PatientMerge, With(Body(), ("retired", retired), ("surviving", surviving), ("facility", facility), ("reason", reason)));

    /// <summary>patient.split: undoes the merge of <paramref name="retired"/> into <paramref name="surviving"/>; signed by the merging facility.</summary>
    /// <param name="reason">A <see cref="SplitReasons"/> code.</param>
    public Transaction PatientSplit(string retired, string surviving, string facility, string reason)
        => Make(TxType.PatientSplit, With(Body(), ("retired", retired), ("surviving", surviving), ("facility", facility), ("reason", reason)));
}
