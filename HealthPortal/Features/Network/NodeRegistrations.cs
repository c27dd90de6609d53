using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Text;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Network;

/// <summary>What a facility states when it applies to join.</summary>
public sealed record JoinRequest(string Name, FacilityKind Kind, string Contact, string Endpoint);

/// <summary>The answer to an application or decision: the ledger receipt's block, or why it was refused.</summary>
public sealed record NetworkResult(bool Succeeded, string? FacilityId, long? Height, string? TransactionId, string? Error)
{
    /// <summary>The facility's node key id (RFC 7638 thumbprint): its fingerprint on the ledger.</summary>
    public string? NodeKeyId { get; init; }

    /// <summary>After an approval: the one-time link token for the facility's first manager.</summary>
    public string? ManagerInvitationToken { get; init; }

    /// <summary>Set when the ledger step succeeded but a follow-up (provisioning) did not; the admin can retry it.</summary>
    public string? Warning { get; init; }

    /// <summary>Field → message when the request itself was wrong (so a form can show it beside the field).</summary>
    public IReadOnlyDictionary<string, string> FieldErrors { get; init; } = new Dictionary<string, string>();

    public static NetworkResult Fail(string error) => new(false, null, null, null, error);
}

/// <summary>Proof-of-work progress while a node key's registration is being stamped.</summary>
public readonly record struct PowProgress(long Attempts, long Expected, bool Found = false)
{
    /// <summary>
    /// The chance that a stamp would have been found within this many attempts, 1 − e^(−attempts/expected): it rises
    /// like a progress bar should and reaches 1 only once the stamp is actually found.
    /// </summary>
    public double Fraction => Found ? 1 : Expected <= 0 ? 0 : 1 - Math.Exp(-(double)Attempts / Expected);
}

/// <summary>The proof-of-work stamp of a node's registration, recomputed from the stored transaction.</summary>
/// <param name="RequiredBits">The genesis difficulty for facility registrations.</param>
/// <param name="ZeroBits">Leading zero bits of the recomputed transaction id.</param>
public sealed record PowStamp(bool Verified, int RequiredBits, int ZeroBits, string Explanation);

/// <summary>One application as the admin sees it: the portal's row beside the ledger's node entry.</summary>
/// <param name="IsSealer">This node seals the blocks: revoking it would stop the ledger.</param>
/// <summary>A rejection or revocation as the admin gave it: a <see cref="NodeDecisionReasons"/> code and optional words.</summary>
public sealed record NodeDecision(string ReasonCode, string? Note);

public sealed record Registration(HealthFacility Facility, NodeEntry? Node, PowStamp Stamp, bool HasEhrStore, bool IsSealer)
{
    /// <summary>Who decided, in words (the admin key's role, not a person: the consortium signs, not an account).</summary>
    public string? DecidedBy => Node?.DecidedBy switch
    {
        null => null,
        "genesis" => "genesis",
        var kid => "consortium admin " + kid[..8] + "…",
    };
}

/// <summary>
/// Facility admission on the ledger: a facility's node key is made and kept on the server (encrypted), its
/// <c>node.register</c> is stamped with proof of work and submitted; admins sign <c>node.approve</c>,
/// <c>node.reject</c> and <c>node.revoke</c> with the consortium admin key. The portal's facility row mirrors the
/// ledger's decision only after the block holding it has committed; the ledger is the truth and
/// <see cref="ListAsync"/> repairs a row that missed an update (a crash between commit and save).
/// </summary>
public sealed class NodeRegistrations(
    IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, TimeProvider clock,
    IAuthorizationService authorization, StaffInvitations invitations, EhrStoreProvisioner ehrStores,
    ILogger<NodeRegistrations> logger)
{
    private readonly TransactionFactory _tx = new(clock);

    /// <summary>Longest explanation of a rejection or revocation (kept in the portal; the ledger has its code and hash).</summary>
    public const int MaxReasonLength = 1000;

    public static string LedgerKind(FacilityKind kind) => kind switch
    {
        FacilityKind.Hospital => NodeKind.Hospital,
        FacilityKind.Clinic => NodeKind.Clinic,
        _ => NodeKind.Laboratory,
    };

    /// <summary>Validates the request as a person typed it; returns field → message for everything wrong.</summary>
    public static IReadOnlyDictionary<string, string> Validate(JoinRequest request)
    {
        var errors = new Dictionary<string, string>();
        if (ValidateName(request.Name) is { } name) errors[nameof(JoinRequest.Name)] = name;
        if (!Enum.IsDefined(request.Kind)) errors[nameof(JoinRequest.Kind)] = "Choose hospital, clinic or laboratory.";
        if (ValidateContact(request.Contact) is { } contact) errors[nameof(JoinRequest.Contact)] = contact;
        if (ValidateEndpoint(request.Endpoint) is { } endpoint) errors[nameof(JoinRequest.Endpoint)] = endpoint;
        return errors;
    }

    public static string? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Trim().Length is < 3 or > 200 || name.Any(char.IsControl)
            ? "Enter the organisation's name (3–200 characters)."
            : null;

    public static string? ValidateContact(string? contact) =>
        string.IsNullOrWhiteSpace(contact) || contact.Trim().Length > 200 || contact.Any(char.IsControl)
            ? "Enter a contact (a person, e-mail or phone; at most 200 characters)."
            : null;

    public static string? ValidateEndpoint(string? endpoint) =>
        endpoint is null || endpoint.Trim().Length > 400
        || !Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            ? "Enter the node's address as a full URL, e.g. https://node.example.org."
            : null;

    /// <summary>
    /// Checks a rejection or revocation: a <see cref="NodeDecisionReasons"/> code, and words that are optional except for
    /// "other"; null when it is acceptable.
    /// </summary>
    public static string? ValidateReason(string? reasonCode, string? note, string what)
    {
        if (!NodeDecisionReasons.IsValid(reasonCode)) return $"Choose the reason for the {what}.";
        if (reasonCode == NodeDecisionReasons.Other && string.IsNullOrWhiteSpace(note)) return $"Say in words why (the reason is \"other\").";
        if (note is null) return null;
        if (note.Trim().Length > MaxReasonLength) return $"Keep the explanation under {MaxReasonLength} characters.";
        if (SafeText.Check(note.Trim(), multiline: true) is { } problem) return $"The explanation cannot be saved: {problem}.";
        return null;
    }

    /// <summary>
    /// Applies to join: makes the node key, stamps <c>node.register</c> with proof of work (the slow part, reported
    /// through <paramref name="progress"/> and cancellable), then stores the key and the application and submits.
    /// Nothing is kept when the stamping is cancelled or the ledger refuses: neither the facility row nor the key.
    /// </summary>
    public async Task<NetworkResult> ApplyAsync(JoinRequest request, IProgress<PowProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Validate(request) is { Count: > 0 } errors)
            return NetworkResult.Fail(string.Join(" ", errors.Values)) with { FieldErrors = errors };
        var name = request.Name.Trim();
        if (await NameTakenAsync(name, cancellationToken)) return NameTaken(name);

        var facility = new HealthFacility
        {
            Name = name, Kind = request.Kind, Contact = request.Contact.Trim(), Endpoint = request.Endpoint.Trim(),
            Status = FacilityStatus.Pending, CreatedAt = clock.GetUtcNow(),
        };
        // The key lives only in memory until the stamp is found: abandoning the form leaves nothing behind.
        var key = LedgerKeyPair.Create();
        var bits = ledger.Engine.Genesis.Parameters.FacilityPowBits;
        var expected = 1L << bits;
        var attempts = progress is null ? null : new InlineProgress<long>(n => progress.Report(new PowProgress(n, expected)));
        Transaction tx;
        try
        {
            tx = await Task.Run(() => _tx.NodeRegister(key.PublicJwk, LedgerKind(request.Kind), name, facility.Endpoint, bits, cancellationToken, attempts), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            key.Dispose();
            throw;
        }
        // The stamp's counter says how many hashes it took.
        var tries = long.TryParse(tx.GetString("pow"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var counter) ? counter + 1 : expected;
        progress?.Report(new PowProgress(tries, expected, Found: true));

        // From here on the work is quick and must not stop half-way: no more cancellation.
        var keyName = ServerKeyVault.FacilityNode(facility.Id);
        ledger.Keys.Save(keyName, key);
        facility.NodeKeyId = key.Id;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.Facilities.Add(facility);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateException)
        {
            // The unique name index: another application with this name was saved while this one was being stamped.
            ledger.Keys.Delete(keyName);
            key.Dispose();
            return NameTaken(name);
        }

        var result = await ledger.Engine.SubmitAsync(tx.SignWith(key), CancellationToken.None);
        if (!result.IsCommitted)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
                await db.Facilities.Where(f => f.Id == facility.Id).ExecuteDeleteAsync(CancellationToken.None);
            ledger.Keys.Delete(keyName);
            key.Dispose();
            logger.LogWarning("The ledger refused the registration of {Facility}: {Result}", name, result);
            return NetworkResult.Fail($"The ledger refused the registration: {result.Message}");
        }
        logger.LogInformation("Facility {Facility} ({Id}) applied to join; node {Node} registered at height {Height}", name, facility.Id, key.Id, result.Receipt!.Height);
        return new NetworkResult(true, facility.Id, result.Receipt.Height, result.Receipt.TransactionId, null) { NodeKeyId = key.Id };
    }

    private async Task<bool> NameTakenAsync(string name, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Facilities.AnyAsync(f => f.Name == name, ct);
    }

    private static NetworkResult NameTaken(string name)
    {
        var message = $"A facility named '{name}' has already applied. If that was you, wait for the consortium's decision.";
        return NetworkResult.Fail(message) with { FieldErrors = new Dictionary<string, string> { [nameof(JoinRequest.Name)] = message } };
    }

    /// <summary>
    /// Every application with its ledger entry and recomputed proof-of-work stamp, newest first. Rows whose status
    /// lags the ledger (the ledger committed, the portal did not save) are brought in line first.
    /// </summary>
    public async Task<IReadOnlyList<Registration>> ListAsync(ClaimsPrincipal admin, CancellationToken ct = default)
    {
        if (!await IsAdminAsync(admin)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facilities = await db.Facilities.ToListAsync(ct);
        var list = new List<Registration>(facilities.Count);
        foreach (var facility in facilities)
        {
            var node = LedgerNode(facility.NodeKeyId);
            if (node is not null && StatusOf(node.Status) != facility.Status)
            {
                logger.LogWarning("Facility {Id} was {Portal} in the portal but {Ledger} on the ledger; following the ledger", facility.Id, facility.Status, node.Status);
                facility.Status = StatusOf(node.Status);
            }
            list.Add(new Registration(facility, node, VerifyStamp(node), ehrStores.Exists(facility.Id), node?.Id == ledger.Engine.NodeId));
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return list.OrderByDescending(r => r.Node?.RegisteredHeight ?? long.MaxValue).ThenBy(r => r.Facility.Name).ToList();
    }

    /// <summary>
    /// Checks a node's stamp from the stored bytes, not from the state's copy: the <c>node.register</c> transaction
    /// is read from the store, its id recomputed from its type and body, and its leading zero bits compared with
    /// the genesis difficulty. The transaction must also register this very key.
    /// </summary>
    public PowStamp VerifyStamp(NodeEntry? node)
    {
        var required = ledger.Engine.Genesis.Parameters.FacilityPowBits;
        if (node is null) return new(false, required, 0, "not on the ledger");
        if (node.RegisterTx == "genesis") return new(true, 0, 0, "genesis node: admitted by the chain's founding document");
        var store = ledger.Engine.Store;
        if (!Base64Url.TryDecode(node.RegisterTx, out var id) || id.Length != 32 || store.FindSeq(id) is not { } seq)
            return new(false, required, 0, "its node.register transaction is not in the store");
        var row = store.ReadTransaction(seq)!;
        var recomputed = row.RecomputeId();
        var zeroBits = ProofOfWork.LeadingZeroBits(recomputed);
        if (!recomputed.AsSpan().SequenceEqual(id)) return new(false, required, zeroBits, "the stored transaction does not hash to its id");
        var tx = row.ToTransaction();
        if (!tx.IsSuccess || tx.Value!.Type != TxType.NodeRegister
            || !Jwk.TryParse(tx.Value.Body["key"], out var jwk, out _) || jwk!.Thumbprint() != node.Id)
            return new(false, required, zeroBits, "the transaction does not register this node's key");
        return zeroBits >= required
            ? new(true, required, zeroBits, $"{zeroBits} leading zero bits, {required} required")
            : new(false, required, zeroBits, $"only {zeroBits} leading zero bits, {required} required");
    }

    /// <summary>
    /// Approves a pending application (<c>node.approve</c>), then provisions the facility: its EHR store and a
    /// one-time invitation link for its first manager, returned in <see cref="NetworkResult.ManagerInvitationToken"/>.
    /// </summary>
    public async Task<NetworkResult> ApproveAsync(ClaimsPrincipal admin, string facilityId, CancellationToken ct = default)
    {
        var decided = await DecideAsync(admin, facilityId, null, (node, _) => _tx.NodeApprove(node), FacilityStatus.Approved, ct);
        return decided.Succeeded ? await ProvisionAsync(admin, decided) : decided;
    }

    /// <summary>
    /// Provisions an approved facility again: creates its EHR store if missing and a new manager invitation link
    /// (for a link that was lost, or a facility approved before provisioning existed).
    /// </summary>
    public async Task<NetworkResult> ProvisionAsync(ClaimsPrincipal admin, string facilityId)
    {
        if (!await IsAdminAsync(admin)) return NotAdmin();
        return await ProvisionAsync(admin, new NetworkResult(true, facilityId, null, null, null));
    }

    private async Task<NetworkResult> ProvisionAsync(ClaimsPrincipal admin, NetworkResult decided)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == decided.FacilityId);
        if (facility?.Status != FacilityStatus.Approved) return NetworkResult.Fail("Only an approved facility can be provisioned.");
        try
        {
            ehrStores.Provision(facility);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            // The ledger decision stands; the admin can provision again from the registrations page.
            logger.LogError(e, "Could not create the EHR store of facility {Id}", facility.Id);
            return decided with { Warning = $"The facility is approved, but its EHR store could not be created ({e.Message}). Try \"Manager invitation\" again." };
        }
        var invitation = await invitations.CreateManagerInvitationAsync(admin, facility.Id);
        return invitation.Outcome == InvitationOutcome.Created
            ? decided with { ManagerInvitationToken = invitation.Token }
            : decided with { Warning = $"The facility is approved, but no manager invitation could be made ({invitation.Outcome})." };
    }

    /// <param name="reasonCode">A <see cref="NodeDecisionReasons"/> code: what the ledger says.</param>
    /// <param name="note">The admin's words: kept in the portal (<see cref="HealthFacility.DecisionNote"/>), hashed on the ledger.</param>
    public Task<NetworkResult> RejectAsync(ClaimsPrincipal admin, string facilityId, string reasonCode, string? note = null, CancellationToken ct = default)
        => ValidateReason(reasonCode, note, "rejection") is { } error
            ? Task.FromResult(NetworkResult.Fail(error))
            : DecideAsync(admin, facilityId, Note(note), (node, hash) => _tx.NodeReject(node, reasonCode, hash), FacilityStatus.Rejected, ct);

    /// <summary>Revokes an approved facility: from the revoking block on it can no longer anchor, seal or read.</summary>
    /// <inheritdoc cref="RejectAsync" path="/param"/>
    public Task<NetworkResult> RevokeAsync(ClaimsPrincipal admin, string facilityId, string reasonCode, string? note = null, CancellationToken ct = default)
        => ValidateReason(reasonCode, note, "revocation") is { } error
            ? Task.FromResult(NetworkResult.Fail(error))
            : DecideAsync(admin, facilityId, Note(note), (node, hash) => node == ledger.Engine.NodeId ? null : _tx.NodeRevoke(node, reasonCode, hash), FacilityStatus.Revoked, ct);

    /// <summary>The admin's words with a fresh salt, or null when there are none.</summary>
    private static (string Text, string Salt)? Note(string? note)
        => string.IsNullOrWhiteSpace(note) ? null : (note.Trim(), TextCommitment.NewSalt());

    /// <summary>Signs the decision with the consortium admin key; the portal row follows only after commit.</summary>
    /// <param name="build">The decision for a node id and the hash of the note, or null when this node must not be decided on (the sealer).</param>
    private async Task<NetworkResult> DecideAsync(ClaimsPrincipal admin, string facilityId, (string Text, string Salt)? note, Func<string, string?, Transaction?> build, FacilityStatus outcome, CancellationToken ct)
    {
        if (!await IsAdminAsync(admin)) return NotAdmin();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facility = await db.Facilities.SingleOrDefaultAsync(f => f.Id == facilityId, ct);
        if (facility?.NodeKeyId is null) return NetworkResult.Fail("No such facility registration.");
        // This node seals every block of the solo sequencer; a revoked sealer could seal nothing more.
        var hash = note is { } n ? TextCommitment.Hash(n.Text, n.Salt) : null;
        if (build(facility.NodeKeyId, hash) is not { } decision)
            return NetworkResult.Fail("This facility's node seals the ledger's blocks; revoking it would stop the ledger.");
        var adminKey = ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin);
        // Once signed and submitted the decision may commit; do not let a closing page cancel the wait for it.
        var result = await ledger.Engine.SubmitAsync(decision.SignWith(adminKey), CancellationToken.None);
        if (!result.IsCommitted) return NetworkResult.Fail(Explain(result));
        facility.Status = outcome;
        (facility.DecisionNote, facility.DecisionNoteSalt) = note is { } kept ? (kept.Text, kept.Salt) : ((string?)null, (string?)null);
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Facility {Id} is {Status} on the ledger at height {Height} (decided by {User})",
            facility.Id, outcome, result.Receipt!.Height, admin.FindFirstValue(ClaimTypes.NameIdentifier));
        return new NetworkResult(true, facility.Id, result.Receipt.Height, result.Receipt.TransactionId, null) { NodeKeyId = facility.NodeKeyId };
    }

    private static string Explain(SubmitResult result) => result.Error switch
    {
        LedgerError.NodeNotPending => "This registration has already been decided.",
        LedgerError.NodeNotApproved => "Only an approved facility can be revoked.",
        LedgerError.UnknownNode => "The ledger does not know this facility's node.",
        _ => $"The ledger refused it: {result.Message}",
    };

    private static NetworkResult NotAdmin() => NetworkResult.Fail("Only a consortium admin may decide registrations.");

    private async Task<bool> IsAdminAsync(ClaimsPrincipal admin) =>
        (await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded;

    public static FacilityStatus StatusOf(NodeStatus status) => status switch
    {
        NodeStatus.Approved => FacilityStatus.Approved,
        NodeStatus.Rejected => FacilityStatus.Rejected,
        NodeStatus.Revoked => FacilityStatus.Revoked,
        _ => FacilityStatus.Pending,
    };

    /// <summary>The ledger's view of a facility's node (status, proof of work, decision), or null when unknown.</summary>
    public NodeEntry? LedgerNode(string? nodeKeyId) => nodeKeyId is null ? null : ledger.Engine.State.Node(nodeKeyId);

    /// <summary>
    /// Reports on the solving thread. <see cref="Progress{T}"/> would post every report to the circuit's
    /// synchronization context from inside the hashing loop; the caller decides how to marshal instead.
    /// </summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
