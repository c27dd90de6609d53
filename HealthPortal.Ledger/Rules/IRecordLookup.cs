using HealthPortal.Ledger.State;

namespace HealthPortal.Ledger.Rules;

/// <summary>Looks up anchored records in the committed store (the rules see the current block through the overlay).</summary>
public interface IRecordLookup
{
    RecordEntry? FindRecord(string facility, string recordId);

    /// <summary>The committed record that superseded <paramref name="recordId"/> of <paramref name="facility"/>, or null.</summary>
    SupersessionEntry? FindSupersession(string facility, string recordId);

    /// <summary>The committed retraction of <paramref name="recordId"/> of <paramref name="facility"/>, or null.</summary>
    RetractionEntry? FindRetraction(string facility, string recordId);
}
