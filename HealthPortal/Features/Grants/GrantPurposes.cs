using System.Globalization;
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

    /// <summary>
    /// The English label, whatever the reader's language: it goes into FHIR AuditEvents and the access views that are
    /// not in Burmese yet. The grant pages read <see cref="Text(string)"/>.
    /// </summary>
    public static string Label(string purpose) => GrantWords.Purpose(purpose, CultureInfo.InvariantCulture);

    /// <summary>The English label with the patient's words for "other" when this portal has them.</summary>
    public static string Label(string purpose, string? otherText)
        => purpose == Other && !string.IsNullOrEmpty(otherText) ? "Other: " + otherText : Label(purpose);

    /// <summary>The label in the reader's language.</summary>
    public static string Text(string purpose) => GrantWords.Purpose(purpose);

    /// <summary>The label in the reader's language with the patient's words (as entered) for "other".</summary>
    public static string Text(string purpose, string? otherText)
        => purpose == Other && !string.IsNullOrEmpty(otherText) ? GrantWords.Format("PurposeOtherWords", otherText) : Text(purpose);

    /// <summary>Why the "other" text cannot be kept, or null when it can.</summary>
    public static string? CheckOther(string? text)
    {
        var t = text?.Trim() ?? "";
        if (t.Length == 0) return GrantWords.Text("OtherEmpty");
        if (t.Length > MaxOtherLength) return GrantWords.Format("OtherTooLong", MaxOtherLength);
        if (SafeText.Check(t) is { } problem) return GrantWords.Format("OtherUnsafe", problem);
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
