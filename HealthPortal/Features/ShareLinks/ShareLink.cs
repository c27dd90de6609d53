namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// One share link as the server keeps it: who made it, the label, when it ends, the PIN's hash and the ciphertext. The
/// key is not here: it exists only in the link the patient's browser made.
/// </summary>
public sealed record ShareLink(
    string Id, string OwnerUserId, string Mpi, string Label, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    string? PinHash, int AttemptsLeft, DateTimeOffset? RevokedAt, int RecordCount, int ContentBytes)
{
    public bool HasPin => PinHash is not null;

    public ShareLinkStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? ShareLinkStatus.Revoked
        : HasPin && AttemptsLeft <= 0 ? ShareLinkStatus.Locked
        : now >= ExpiresAt ? ShareLinkStatus.Expired
        : ShareLinkStatus.Active;
}

public enum ShareLinkStatus { Active, Expired, Revoked, Locked }

/// <summary>How one manifest request ended.</summary>
public enum RetrievalOutcome { Served, WrongPin, Refused }

/// <summary>One request for a link's manifest: when, an approximate client (browser family, truncated address), what the recipient called themselves.</summary>
public sealed record ShareLinkRetrieval(string LinkId, DateTimeOffset At, string Client, string Address, string Recipient, RetrievalOutcome Outcome);

/// <summary>A link in the patient's list, with its retrievals counted.</summary>
public sealed record ShareLinkSummary(ShareLink Link, ShareLinkStatus Status, int Retrievals, DateTimeOffset? LastRetrieval);
