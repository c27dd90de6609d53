using System.Globalization;
using HealthPortal.Features.Records;
using LedgerPurposes = HealthPortal.Ledger.Transactions.Purposes;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Grants;

/// <summary>
/// The grant pages' shared words in the reader's language (GrantWords.resx / GrantWords.my.resx beside this file): kinds
/// and purposes as a grant names them, statuses, what a grant means, and the form's rules. Codes and stored values never
/// pass through here; only what a person reads does.
/// </summary>
public static class GrantWords
{
    // Static helpers (records, validation) cannot be an IStringLocalizer<T>; their resources are read the same way.
    private static readonly ResourceWords Texts = new(typeof(GrantWords));

    /// <summary>The text of <paramref name="key"/> in <paramref name="culture"/> (the reader's UI language by default).</summary>
    public static string Text(string key, CultureInfo? culture = null) => Texts.Text(key, culture);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);

    /// <summary>A ledger category as a grant names it, plural ("Lab results").</summary>
    public static string Kind(string kind) => kind switch
    {
        RecordKinds.Encounter => Text("KindEncounter"),
        RecordKinds.Diagnosis => Text("KindDiagnosis"),
        RecordKinds.Prescription => Text("KindPrescription"),
        RecordKinds.LabResult => Text("KindLabResult"),
        RecordKinds.Note => Text("KindNote"),
        RecordKinds.Allergy => Text("KindAllergy"),
        HealthPortal.Ledger.Transactions.Categories.All => Text("KindAll"),
        _ => kind,
    };

    /// <summary>A purpose code's label in <paramref name="culture"/> (the reader's by default); an unknown code as it is.</summary>
    public static string Purpose(string purpose, CultureInfo? culture = null) => purpose switch
    {
        LedgerPurposes.Treatment => Text("PurposeTreatment", culture),
        LedgerPurposes.Referral => Text("PurposeReferral", culture),
        LedgerPurposes.SecondOpinion => Text("PurposeSecondOpinion", culture),
        LedgerPurposes.Insurance => Text("PurposeInsurance", culture),
        LedgerPurposes.Emergency => Text("PurposeEmergency", culture),
        LedgerPurposes.Other => Text("PurposeOther", culture),
        _ => purpose,
    };

    public static string Status(GrantStatus status) => status switch
    {
        GrantStatus.Active => Text("StatusActive"),
        GrantStatus.Scheduled => Text("StatusScheduled"),
        GrantStatus.Expired => Text("StatusExpired"),
        _ => Text("StatusRevoked"),
    };
}
