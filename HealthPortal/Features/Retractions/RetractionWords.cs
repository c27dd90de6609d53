using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Retractions;

/// <summary>The reason codes of <c>record.retract</c> in plain words: for the staff's choice and the patient's timeline.</summary>
public static class RetractionWords
{
    /// <summary>The end of "Retracted by X on 7 Dec 2026 — …".</summary>
    public static string ForPatient(string code) => code switch
    {
        RetractReasons.WrongPatient => "filed under the wrong patient",
        RetractReasons.EnteredInError => "entered in error",
        RetractReasons.Duplicate => "a duplicate of another record",
        _ => "withdrawn by the facility",
    };

    /// <summary>The choice staff make, in the words they would use.</summary>
    public static string ForStaff(string code) => code switch
    {
        RetractReasons.WrongPatient => "Filed under the wrong patient",
        RetractReasons.EnteredInError => "Entered in error (should never have been written)",
        RetractReasons.Duplicate => "A duplicate of another record",
        _ => code,
    };
}
