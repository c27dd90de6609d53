using System.Text.RegularExpressions;

namespace HealthPortal.Features.Grants;

/// <summary>
/// The purposes a patient can give a grant. The ledger stores the purpose as a string for everyone to read, so it is a
/// short code (or, for "other", a few words the patient types, checked to look like a phrase and not like personal data).
/// </summary>
public static partial class GrantPurposes
{
    public const string Treatment = "treatment";
    public const string Referral = "referral";
    public const string SecondOpinion = "second-opinion";
    public const string Insurance = "insurance";
    public const string Other = "other";

    public const int MaxOtherLength = 40;

    public static readonly IReadOnlyList<string> All = [Treatment, Referral, SecondOpinion, Insurance, Other];

    public static string Label(string purpose) => purpose switch
    {
        Treatment => "Treatment",
        Referral => "Referral",
        SecondOpinion => "Second opinion",
        Insurance => "Insurance claim",
        Other => "Other",
        _ when purpose.StartsWith(OtherPrefix, StringComparison.Ordinal) => "Other: " + purpose[OtherPrefix.Length..],
        _ => purpose,
    };

    /// <summary>"other:" followed by the patient's words, so a reader of the ledger can tell a code from free text.</summary>
    public const string OtherPrefix = "other:";

    /// <summary>The ledger string for a choice; null when the choice is not valid (see <see cref="CheckOther"/>).</summary>
    public static string? ToLedger(string? code, string? otherText)
    {
        if (code is null || !All.Contains(code)) return null;
        if (code != Other) return code;
        return CheckOther(otherText) is null ? OtherPrefix + otherText!.Trim() : null;
    }

    /// <summary>Why the "other" text cannot go on the ledger, or null when it can.</summary>
    public static string? CheckOther(string? text)
    {
        var t = text?.Trim() ?? "";
        if (t.Length == 0) return "Say in a few words what the access is for.";
        if (t.Length > MaxOtherLength) return $"Keep the purpose to {MaxOtherLength} characters or fewer.";
        // Digits could carry an identity number, a phone number or a date of birth onto a public ledger.
        if (t.Any(char.IsDigit)) return "Leave out numbers: the purpose is public on the network and must not identify you.";
        if (!OtherPattern().IsMatch(t)) return "Use letters, spaces and simple punctuation only.";
        return null;
    }

    [GeneratedRegex(@"^[\p{L} .,'()/-]+$")] private static partial Regex OtherPattern();
}
