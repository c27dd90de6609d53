using HealthPortal.Ledger.Text;
using LedgerPurposes = HealthPortal.Ledger.Transactions.Purposes;

namespace HealthPortal.Features.Grants;

/// <summary>
/// The purposes a patient can give a grant: codes of the ledger's closed set (<see cref="LedgerPurposes"/>). For
/// "other" the patient says what for in their own words, which stay in the portal (<see cref="GrantPurposeNote"/>);
/// the ledger carries only "other" and the hash of the words.
/// </summary>
public static class GrantPurposes
{
    public const string Treatment = LedgerPurposes.Treatment;
    public const string Referral = LedgerPurposes.Referral;
    public const string SecondOpinion = LedgerPurposes.SecondOpinion;
    public const string Insurance = LedgerPurposes.Insurance;
    public const string Other = LedgerPurposes.Other;

    public const int MaxOtherLength = 200;

    public static readonly IReadOnlyList<string> All = [Treatment, Referral, SecondOpinion, Insurance, Other];

    public static string Label(string purpose) => purpose switch
    {
        Treatment => "Treatment",
        Referral => "Referral",
        SecondOpinion => "Second opinion",
        Insurance => "Insurance claim",
        LedgerPurposes.Emergency => "Emergency",
        Other => "Other",
        _ => purpose,
    };

    /// <summary>The label with the patient's words for "other" when this portal has them.</summary>
    public static string Label(string purpose, string? otherText)
        => purpose == Other && !string.IsNullOrEmpty(otherText) ? "Other: " + otherText : Label(purpose);

    /// <summary>Why the "other" text cannot be kept, or null when it can.</summary>
    public static string? CheckOther(string? text)
    {
        var t = text?.Trim() ?? "";
        if (t.Length == 0) return "Say in a few words what the access is for.";
        if (t.Length > MaxOtherLength) return $"Keep the purpose to {MaxOtherLength} characters or fewer.";
        if (SafeText.Check(t) is { } problem) return $"The purpose cannot be saved: {problem}.";
        return null;
    }

    /// <summary>The words for "other" with the salt of their hash on the ledger, or null for any other purpose.</summary>
    public static GrantPurposeText? TextFor(string? code, string? otherText)
        => code == Other && CheckOther(otherText) is null ? new GrantPurposeText(otherText!.Trim(), TextCommitment.NewSalt()) : null;
}

/// <summary>The patient's words for "other" and the salt that the ledger's <c>purposeHash</c> was made with.</summary>
public sealed record GrantPurposeText(string Text, string Salt)
{
    public string Hash => TextCommitment.Hash(Text, Salt);
}
