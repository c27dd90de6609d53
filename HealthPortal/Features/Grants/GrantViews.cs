using System.Globalization;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Times;

namespace HealthPortal.Features.Grants;

/// <summary>An approved facility the patient can share with; <see cref="NodeId"/> is its ledger id.</summary>
public sealed record FacilityChoice(string Id, string Name, FacilityKind Kind, string NodeId);

/// <summary>One of the patient's grants as the Sharing page lists it.</summary>
public sealed record GrantView(
    string Id, string FacilityNodeId, string FacilityName, IReadOnlyList<string> Categories, string Purpose,
    DateTimeOffset NotBefore, DateTimeOffset ExpiresAt, long IssuedHeight, long? RevokedHeight, DateTimeOffset? RevokedAt, GrantStatus Status)
{
    /// <summary>The patient's words for "other", from this portal's database (never on the ledger).</summary>
    public string? PurposeText { get; init; }

    public string PurposeLabel => GrantPurposes.Text(Purpose, PurposeText);

    public string KindsText => GrantText.Kinds(Categories);

    /// <summary>
    /// What the grant means, in the tense of its status, with times on the reader's clock. With
    /// <paramref name="forName"/> (a delegate reading the grants of the person they act for) the sentence names that
    /// person instead of "your", and a revocation is not "you revoked": the person or any of their delegates may have.
    /// </summary>
    public string MeaningOn(UserTime clock, string? forName = null) => (Status, forName) switch
    {
        (GrantStatus.Active, null) => GrantWords.Format("MeaningActive", FacilityName, GrantText.KindsLower(Categories)),
        (GrantStatus.Active, _) => GrantWords.Format("MeaningActiveFor", FacilityName, GrantText.KindsLower(Categories), forName),
        (GrantStatus.Scheduled, null) => GrantWords.Format("MeaningScheduled", FacilityName, GrantText.KindsLower(Categories), GrantText.When(NotBefore, clock)),
        (GrantStatus.Scheduled, _) => GrantWords.Format("MeaningScheduledFor", FacilityName, GrantText.KindsLower(Categories), GrantText.When(NotBefore, clock), forName),
        (GrantStatus.Expired, null) => GrantWords.Format("MeaningExpired", GrantText.When(ExpiresAt, clock), FacilityName),
        (GrantStatus.Expired, _) => GrantWords.Format("MeaningExpiredFor", GrantText.When(ExpiresAt, clock), FacilityName, forName),
        (_, null) => RevokedAt is { } at
            ? GrantWords.Format("MeaningRevokedOn", GrantText.When(at, clock), FacilityName)
            : GrantWords.Format("MeaningRevoked", FacilityName),
        _ => RevokedAt is { } at
            ? GrantWords.Format("MeaningRevokedOnFor", GrantText.When(at, clock), FacilityName, forName)
            : GrantWords.Format("MeaningRevokedFor", FacilityName, forName),
    };
}

/// <summary>A pending (or answered) access request as the patient or the facility sees it.</summary>
public sealed record AccessRequestView(
    string Id, string Mpi, string FacilityId, string FacilityName, IReadOnlyList<string> Categories, string Purpose, int DurationDays,
    string? Message, AccessRequestStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt, string? DeclineReason, string? GrantId, long? GrantHeight)
{
    public string KindsText => GrantText.Kinds(Categories);
}

/// <summary>Wording shared by the grant pages, in the reader's language.</summary>
public static class GrantText
{
    public static string Kinds(IReadOnlyList<string> categories) => string.Join(GrantWords.Text("ListSeparator"), categories.Select(GrantWords.Kind));

    public static string KindsLower(IReadOnlyList<string> categories)
        => categories.Contains(HealthPortal.Ledger.Transactions.Categories.All)
            ? GrantWords.Text("KindsEvery")
            : string.Join(GrantWords.Text("ListSeparator"), categories.Select(c => GrantWords.Kind(c).ToLower(CultureInfo.CurrentUICulture)));

    /// <summary>An instant on the reader's clock (the patient's profile zone, a facility's zone for its staff), not UTC.</summary>
    public static string When(DateTimeOffset at, UserTime clock) => clock.Format(at);

    public static string Period(DateTimeOffset from, DateTimeOffset to, UserTime clock) => GrantWords.Format("Period", When(from, clock), When(to, clock));
}
