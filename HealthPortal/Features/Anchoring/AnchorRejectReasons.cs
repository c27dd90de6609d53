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

    /// <summary>The patient's choice, in the first person.</summary>
    public static string Label(string? code) => code switch
    {
        NotMe => "This was not me: I was not seen there",
        DidNotHappen => "I was there, but this did not happen",
        WrongDetails => "Something in it is wrong",
        Other => "Another reason",
        _ => code ?? "",
    };

    /// <summary>How staff read the code.</summary>
    public static string StaffLabel(string? code) => code switch
    {
        NotMe => "Patient says this was not them",
        DidNotHappen => "Patient says this did not happen",
        WrongDetails => "Patient says details are wrong",
        Other => "Patient disputes it",
        _ => code ?? "",
    };
}
