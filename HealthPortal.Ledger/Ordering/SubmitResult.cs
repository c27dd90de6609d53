using HealthPortal.Ledger.Receipts;

namespace HealthPortal.Ledger.Ordering;

/// <summary>The answer to a submission: a receipt after commit, or the refusal's code and message.</summary>
public sealed record SubmitResult(Receipt? Receipt, LedgerError Error, string? Message)
{
    public bool IsCommitted => Receipt is not null;
    public static SubmitResult Committed(Receipt receipt) => new(receipt, LedgerError.None, null);
    public static SubmitResult Refused(LedgerError error, string message) => new(null, error, message);
    public static SubmitResult Refused(Validation v) => new(null, v.Error, v.Message);
    public override string ToString() => IsCommitted ? $"committed at {Receipt!.Height}/{Receipt.Index}" : $"{Error}: {Message}";
}
