using HealthPortal.Ledger.State;

namespace HealthPortal.Ledger.Rules;

/// <summary>Looks up anchored records in the committed store (the rules see the current block through the overlay).</summary>
public interface IRecordLookup
{
    RecordEntry? FindRecord(string facility, string recordId);
}
