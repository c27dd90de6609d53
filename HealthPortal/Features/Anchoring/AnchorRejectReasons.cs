using System.Globalization;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// Why a patient disputes a record: a closed set, so the facility can sort disputes and a form can offer them in plain
/// words. Nothing of a dispute goes on the ledger (a disputed record is simply never anchored); the code and the
/// patient's optional words stay in this node's database, where the facility reads them.
/// </summary>
public static class AnchorRejectReasons
{
    public const string NotMe = "not-me";
    public const string DidNotHappen = "did-not-happen";
    public const string WrongDetails = "wrong-details";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [NotMe, DidNotHappen, WrongDetails, Other];

    public static bool IsValid(string? code) => code is not null && All.Contains(code);

    /// <summary>Words are optional except for <see cref="Other"/>, where the code alone says nothing.</summary>
    public static bool NeedsWords(string code) => code == Other;

    /// <summary>The patient's choice, in the first person, in <paramref name="culture"/> (the reader's by default).</summary>
    public static string Label(string? code, CultureInfo? culture = null) => code switch
    {
        NotMe => AnchorWords.Text("ReasonNotMe", culture),
        DidNotHappen => AnchorWords.Text("ReasonDidNotHappen", culture),
        WrongDetails => AnchorWords.Text("ReasonWrongDetails", culture),
        Other => AnchorWords.Text("ReasonOther", culture),
        _ => code ?? "",
    };

    /// <summary>How staff read the code, in the reader's language.</summary>
    public static string StaffLabel(string? code) => code switch
    {
        NotMe => AnchorWords.Text("StaffReasonNotMe"),
        DidNotHappen => AnchorWords.Text("StaffReasonDidNotHappen"),
        WrongDetails => AnchorWords.Text("StaffReasonWrongDetails"),
        Other => AnchorWords.Text("StaffReasonOther"),
        _ => code ?? "",
    };
}
