namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// Why a facility withdrew a record it anchored (<c>record.retract</c> <c>reason</c>): a closed set of codes, like
/// <see cref="BreakGlassReasons"/>, so no words a person typed (nor a patient's name) reach the ledger. The staff
/// member's explanation stays in the facility's own store. Adding a code is a rule change every node must take.
/// </summary>
public static class RetractReasons
{
    /// <summary>The record belongs to another patient (it is re-filed under the right one by a new anchor).</summary>
    public const string WrongPatient = "wrong-patient";
    /// <summary>The record should never have been written (a test not done, a form saved by mistake).</summary>
    public const string EnteredInError = "entered-in-error";
    /// <summary>The same record was anchored twice; the other copy stays.</summary>
    public const string Duplicate = "duplicate";

    public static readonly IReadOnlyList<string> All = [WrongPatient, EnteredInError, Duplicate];

    public static bool IsValid(string? code) => code is WrongPatient or EnteredInError or Duplicate;
}
