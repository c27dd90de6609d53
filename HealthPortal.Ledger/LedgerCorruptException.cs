using HealthPortal.Ledger.Verification;

namespace HealthPortal.Ledger;

/// <summary>The start-up check found the store damaged; the node refuses to run on it. Run <c>ledger verify</c>.</summary>
public sealed class LedgerCorruptException(VerificationReport report)
    : Exception($"the ledger failed its start-up check: {report.ToLine()}. Run 'ledger verify' for a full report.")
{
    public VerificationReport Report { get; } = report;
}
