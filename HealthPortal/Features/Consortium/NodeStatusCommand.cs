using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// <c>node status --data DIR</c>: one line <c>node=ID role=… term=T height=H head=HASH members=N</c>, exit 0; exit 1
/// with a BAD line when the folder holds no ledger. Only the embedded (standalone) mode exists so far, so the
/// command reads the store at rest; it only reads.
/// </summary>
public static class NodeStatusCommand
{
    public static int Run(string ledgerPath, TextWriter output)
    {
        if (NodeStatusReport.Standalone(ledgerPath) is not { } status)
        {
            output.WriteLine($"BAD no ledger at {ledgerPath}");
            return 1;
        }
        output.WriteLine(status.ToLine());
        return 0;
    }
}
