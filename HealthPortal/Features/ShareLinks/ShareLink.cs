namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// One share link as the server keeps it: who made it, the label, when it ends, the PIN's hash and the ciphertext. The
/// key is not here: it exists only in the link the patient's browser made.
/// </summary>
/// <param name="OwnerUserId">The account that made the link (the patient, or a delegate acting for them).</param>
/// <param name="Mpi">Whose records the link carries: the patient's, who may list and revoke it whoever made it.</param>
/// <param name="MadeBy">The MPI number of the delegate who made it for the patient; null when the patient made it.</param>
/// <param name="RevokedBy">The MPI number of the delegate who revoked it; null when the patient did or nobody has.</param>
public sealed record ShareLink(
    string Id, string OwnerUserId, string Mpi, string Label, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    string? PinHash, int AttemptsLeft, DateTimeOffset? RevokedAt, int RecordCount, int ContentBytes,
    string? MadeBy = null, string? RevokedBy = null)
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

/// <summary>A link in the patient's list, with its retrievals counted and the name of the delegate who made it (null: the patient).</summary>
public sealed record ShareLinkSummary(ShareLink Link, ShareLinkStatus Status, int Retrievals, DateTimeOffset? LastRetrieval, string? MadeByName = null);

/// <summary>
/// Whose share links a request works on: the signed-in patient's own, or those of a person who gave them a delegation
/// with the <c>view</c> and <c>share</c> powers in force now. Decided by <see cref="PatientShareLinks.SubjectAsync"/> at
/// every request, never kept as a permission.
/// </summary>
/// <param name="CallerMpi">The signed-in patient's own MPI number (the delegate's when <see cref="IsSelf"/> is false).</param>
public sealed record ShareSubject(string Mpi, string Name, bool IsSelf, string CallerMpi);
