namespace HealthPortal.Ledger.Verification;

/// <summary>The outcome of verifying a chain: OK with its height and size, or the first bad height and why.</summary>
public sealed record VerificationReport(bool IsValid, long Height, long Transactions, long? FirstBadHeight, string? Reason)
{
    public static VerificationReport Ok(long height, long transactions) => new(true, height, transactions, null, null);
    public static VerificationReport Bad(long height, string reason, long checkedHeight = -1, long transactions = 0)
        => new(false, checkedHeight, transactions, height, reason);

    /// <summary>The operator's one-line summary (<c>OK height=H transactions=N</c> or <c>BAD height=H reason=…</c>).</summary>
    public string ToLine() => IsValid
        ? $"OK height={Height} transactions={Transactions}"
        : $"BAD height={FirstBadHeight} reason={Reason}";
}

/// <summary>Progress of a full verification, in blocks.</summary>
public readonly record struct VerificationProgress(long BlocksChecked, long BlocksTotal);
