using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Network;

/// <summary>What a facility states when it applies to join.</summary>
public sealed record JoinRequest(string Name, FacilityKind Kind, string Contact, string Endpoint);

/// <summary>The answer to an application or decision: the ledger receipt's block, or why it was refused.</summary>
public sealed record NetworkResult(bool Succeeded, string? FacilityId, long? Height, string? TransactionId, string? Error)
{
    public static NetworkResult Fail(string error) => new(false, null, null, null, error);
}

/// <summary>Proof-of-work progress while a node key's registration is being stamped.</summary>
public readonly record struct PowProgress(long Attempts, long Expected);

/// <summary>
/// Facility admission on the ledger: a facility's node key is made and kept on the server (encrypted), its
/// <c>node.register</c> is stamped with proof of work and submitted; admins sign <c>node.approve</c>,
/// <c>node.reject</c> and <c>node.revoke</c>. The portal's facility row mirrors the ledger's decision only after
/// the block holding it has committed.
/// </summary>
public sealed class NodeRegistrations(IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, TimeProvider clock)
{
    private readonly TransactionFactory _tx = new(clock);

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
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length is < 3 or > 200)
            errors[nameof(JoinRequest.Name)] = "Enter the organisation's name (3–200 characters).";
        if (string.IsNullOrWhiteSpace(request.Contact) || request.Contact.Trim().Length > 200)
            errors[nameof(JoinRequest.Contact)] = "Enter a contact (a person, e-mail or phone; at most 200 characters).";
        if (!Uri.TryCreate(request.Endpoint?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            errors[nameof(JoinRequest.Endpoint)] = "Enter the node's address as a full URL, e.g. https://node.example.org.";
        return errors;
    }

    /// <summary>
    /// Applies to join: stores the application, makes the node key, stamps and submits <c>node.register</c>.
    /// Nothing is kept if the ledger refuses it.
    /// </summary>
    public async Task<NetworkResult> ApplyAsync(JoinRequest request, IProgress<PowProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Validate(request) is { Count: > 0 } errors) return NetworkResult.Fail(string.Join(" ", errors.Values));
        var name = request.Name.Trim();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            if (await db.Facilities.AnyAsync(f => f.Name == name, cancellationToken))
                return NetworkResult.Fail($"A facility named '{name}' has already applied.");

        var facility = new HealthFacility
        {
            Name = name, Kind = request.Kind, Contact = request.Contact.Trim(), Endpoint = request.Endpoint.Trim(),
            Status = FacilityStatus.Pending, CreatedAt = clock.GetUtcNow(),
        };
        var key = ledger.Keys.GetOrCreate(ServerKeyVault.FacilityNode(facility.Id));
        var bits = ledger.Engine.Genesis.Parameters.FacilityPowBits;
        var attempts = new Progress<long>(n => progress?.Report(new PowProgress(n, 1L << bits)));
        var tx = await Task.Run(() => _tx.NodeRegister(key.PublicJwk, LedgerKind(request.Kind), name, facility.Endpoint, bits, cancellationToken, attempts), cancellationToken);
        progress?.Report(new PowProgress(1L << bits, 1L << bits));

        facility.NodeKeyId = key.Id;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Facilities.Add(facility);
            await db.SaveChangesAsync(cancellationToken);
        }
        var result = await ledger.Engine.SubmitAsync(tx.SignWith(key), cancellationToken);
        if (!result.IsCommitted)
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.Facilities.Where(f => f.Id == facility.Id).ExecuteDeleteAsync(CancellationToken.None);
            return NetworkResult.Fail($"The ledger refused the registration: {result.Message}");
        }
        return new NetworkResult(true, facility.Id, result.Receipt!.Height, result.Receipt.TransactionId, null);
    }

    public Task<NetworkResult> ApproveAsync(string facilityId, CancellationToken ct = default)
        => DecideAsync(facilityId, node => _tx.NodeApprove(node), FacilityStatus.Approved, ct);

    public Task<NetworkResult> RejectAsync(string facilityId, string reason, CancellationToken ct = default)
        => string.IsNullOrWhiteSpace(reason)
            ? Task.FromResult(NetworkResult.Fail("Give a reason for the rejection."))
            : DecideAsync(facilityId, node => _tx.NodeReject(node, reason.Trim()), FacilityStatus.Rejected, ct);

    public Task<NetworkResult> RevokeAsync(string facilityId, string reason, CancellationToken ct = default)
        => string.IsNullOrWhiteSpace(reason)
            ? Task.FromResult(NetworkResult.Fail("Give a reason for the revocation."))
            : DecideAsync(facilityId, node => _tx.NodeRevoke(node, reason.Trim()), FacilityStatus.Revoked, ct);

    /// <summary>Signs the decision with the consortium admin key; the portal row follows only after commit.</summary>
    private async Task<NetworkResult> DecideAsync(string facilityId, Func<string, Transaction> build, FacilityStatus outcome, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facility = await db.Facilities.SingleOrDefaultAsync(f => f.Id == facilityId, ct);
        if (facility?.NodeKeyId is null) return NetworkResult.Fail("No such facility registration.");
        var admin = ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin);
        var result = await ledger.Engine.SubmitAsync(build(facility.NodeKeyId).SignWith(admin), ct);
        if (!result.IsCommitted) return NetworkResult.Fail(Explain(result));
        facility.Status = outcome;
        await db.SaveChangesAsync(CancellationToken.None);
        return new NetworkResult(true, facility.Id, result.Receipt!.Height, result.Receipt.TransactionId, null);
    }

    private static string Explain(SubmitResult result) => result.Error switch
    {
        LedgerError.NodeNotPending => "This registration has already been decided.",
        LedgerError.NodeNotApproved => "Only an approved facility can be revoked.",
        _ => $"The ledger refused it: {result.Message}",
    };

    /// <summary>The ledger's view of a facility's node (status, proof of work, decision), or null when unknown.</summary>
    public NodeEntry? LedgerNode(string? nodeKeyId) => nodeKeyId is null ? null : ledger.Engine.State.Node(nodeKeyId);
}
