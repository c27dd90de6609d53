using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Patient;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Keys;

/// <summary>A new recovery request and its code, shown once to the patient.</summary>
public sealed record RecoveryStart(KeyRecoveryRequest Request, string Code);

/// <summary>What a facility manager sees of an open request: enough to compare with the identity document in hand.</summary>
public sealed record RecoveryLookup(string RequestId, string Mpi, string FullName, DateOnly BirthDate, Sex Sex, string NationalId, DateTimeOffset RequestedAt, string NewKid);

/// <summary>A request as the admin reviews it.</summary>
public sealed record RecoveryReview(
    string Id, string Mpi, RecoveryStatus Status, string FacilityName, string VerifiedBy, string? IdentityDocument, DateTimeOffset? VerifiedAt,
    string NewKid, int ActiveKeys, string? Reason, long? Height);

/// <summary>Tells open pages that a recovery request changed (singleton; handlers run on the caller's thread).</summary>
public sealed class RecoveryNotifier
{
    /// <summary>Serialises the admin's submissions, so a request is never submitted twice.</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    public event Action<string>? Changed;

    public void Notify(string requestId) => Changed?.Invoke(requestId);
}

/// <summary>
/// Replacing a patient's lost keys (DESIGN: "a recovery transaction that a facility and a consortium admin both
/// sign"). The patient's new browser makes a key and asks; a manager of an approved facility checks the patient's
/// identity document in person, takes the recovery code from them and the facility's node key signs
/// <c>key.recover</c>; a consortium admin co-signs and it is submitted, revoking every old key. Each step is
/// authorized here for its role and resource: the patient for their own account, the manager for their own
/// facility, the admin by the admin policy.
/// </summary>
public sealed class KeyRecoveries(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, RecoveryNotifier notifier,
    TimeProvider clock, ILogger<KeyRecoveries> logger, Microsoft.Extensions.Options.IOptions<RecoveryOptions>? options = null)
{
    /// <summary>How long a facility has to verify a request.</summary>
    public TimeSpan Lifetime { get; } = (options?.Value ?? new()).Lifetime;
    public const int MaxCodeAttempts = 5;

    /// <summary>A step that needed no block (cancel, verify, reject): there is no height to report.</summary>
    private static Result<long?, KeyError> Recovered => Result<long?, KeyError>.Ok(null);

    // Crockford's base32: no I, L, O or U, so nothing is misread when the code is read aloud or typed.
    private const string CodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly TransactionFactory _tx = new(clock);

    // ---- the patient ---------------------------------------------------------------------------------------

    /// <summary>
    /// Opens a request for <paramref name="newKey"/> (made in this browser) and returns its code. Asking again for
    /// the same key replaces the code; asking for another key cancels the earlier request.
    /// </summary>
    public async Task<Result<RecoveryStart>> RequestAsync(ClaimsPrincipal patient, Jwk newKey)
    {
        if (await PatientIdAsync(patient) is not { } userId) return Result<RecoveryStart>.Fail(LedgerError.SignerNotAuthorized, "Only a signed-in patient can ask for recovery.");
        await using var db = await dbFactory.CreateDbContextAsync();
        var profile = await db.PatientProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId);
        if (profile?.MpiNumber is not { } mpi || ledger.Reader.Patient(mpi) is null)
            return Result<RecoveryStart>.Fail(LedgerError.UnknownPatient, "Your account is not registered on the network yet: set up your key instead.");
        var kid = newKey.Thumbprint();
        if (ledger.Reader.ResolveKey(kid) is not null) return Result<RecoveryStart>.Fail(LedgerError.KeyAlreadyRegistered, "This browser's key is already on the ledger.");

        var now = clock.GetUtcNow();
        var open = (await db.KeyRecoveryRequests.Where(r => r.UserId == userId
                && (r.Status == RecoveryStatus.AwaitingFacility || r.Status == RecoveryStatus.AwaitingAdmin)).ToListAsync())
            .ToList();
        var code = NewCode();
        var request = open.FirstOrDefault(r => r.NewKid == kid && r.Status == RecoveryStatus.AwaitingFacility && r.ExpiresAt > now);
        foreach (var other in open.Where(r => r != request))
        {
            other.Status = RecoveryStatus.Cancelled;
            other.Reason = "Replaced by a newer request.";
        }
        if (request is null)
        {
            request = new KeyRecoveryRequest { UserId = userId, Mpi = mpi, NewKeyJwk = newKey.ToJson().ToJsonString(), NewKid = kid, CreatedAt = now };
            db.KeyRecoveryRequests.Add(request);
        }
        request.CodeHash = CodeHashOf(code);
        request.FailedCodeAttempts = 0;
        request.ExpiresAt = now + Lifetime;
        await db.SaveChangesAsync();
        foreach (var other in open) notifier.Notify(other.Id);
        return Result<RecoveryStart>.Ok(new RecoveryStart(request, FormatCode(code)));
    }

    /// <summary>The caller's most recent request (open or decided), for the status on their page.</summary>
    public async Task<KeyRecoveryRequest?> LatestOfAsync(ClaimsPrincipal patient)
    {
        if (await PatientIdAsync(patient) is not { } userId) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        var mine = await db.KeyRecoveryRequests.AsNoTracking().Where(r => r.UserId == userId).ToListAsync();
        return mine.OrderByDescending(r => r.CreatedAt).FirstOrDefault();
    }

    public async Task<Result<long?, KeyError>> CancelAsync(ClaimsPrincipal patient, string requestId)
    {
        if (await PatientIdAsync(patient) is not { } userId) return Result.Fail(KeyError.Forbidden, "Only the patient can cancel their request.");
        await using var db = await dbFactory.CreateDbContextAsync();
        var request = await db.KeyRecoveryRequests.SingleOrDefaultAsync(r => r.Id == requestId && r.UserId == userId);
        if (request is not { IsOpen: true }) return Result.Fail(KeyError.NotPending, "This request is no longer open.");
        request.Status = RecoveryStatus.Cancelled;
        request.Reason = "Cancelled by the patient.";
        await db.SaveChangesAsync();
        notifier.Notify(request.Id);
        return Recovered;
    }

    // ---- the facility manager ------------------------------------------------------------------------------

    /// <summary>Finds the open request of the patient with this MPI number (as typed, check digit validated).</summary>
    public async Task<Result<RecoveryLookup>> FindAsync(ClaimsPrincipal manager, string facilityId, string? mpiInput)
    {
        if (!await MayManageAsync(manager, facilityId)) return Result<RecoveryLookup>.Fail(LedgerError.SignerNotAuthorized, "Only a manager of this facility can verify recoveries.");
        if (!MpiNumber.TryParse(mpiInput, out var mpi, out var error)) return Result<RecoveryLookup>.Fail(LedgerError.InvalidField, error);
        await using var db = await dbFactory.CreateDbContextAsync();
        var now = clock.GetUtcNow();
        var request = (await db.KeyRecoveryRequests.AsNoTracking()
                .Where(r => r.Mpi == mpi && r.Status == RecoveryStatus.AwaitingFacility).ToListAsync())
            .Where(r => r.ExpiresAt > now).OrderByDescending(r => r.CreatedAt).FirstOrDefault();
        // Demographics are shown only for a patient who has asked for recovery: the lookup is not a patient search.
        if (request is null)
            return Result<RecoveryLookup>.Fail(LedgerError.UnknownPatient, $"No recovery request is waiting for {mpi}. The patient starts one on their new device (Devices → Recover my keys).");
        var profile = await db.PatientProfiles.AsNoTracking().SingleAsync(p => p.UserId == request.UserId);
        return Result<RecoveryLookup>.Ok(new RecoveryLookup(request.Id, mpi, profile.FullName, profile.BirthDate, profile.Sex, profile.NationalId, request.CreatedAt, request.NewKid));
    }

    /// <summary>
    /// Records the manager's in-person verification and signs <c>key.recover</c> with the facility's node key.
    /// The patient's recovery code proves that the person at the desk holds the new browser.
    /// </summary>
    public async Task<Result<long?, KeyError>> VerifyAsync(ClaimsPrincipal manager, string facilityId, string requestId, string? code, string? identityDocument, bool verifiedInPerson)
    {
        if (!await MayManageAsync(manager, facilityId)) return Result.Fail(KeyError.Forbidden, "Only a manager of this facility can verify recoveries.");
        if (!verifiedInPerson) return Result.Fail(KeyError.Invalid, "Confirm that you checked the patient's identity in person.");
        if (string.IsNullOrWhiteSpace(identityDocument) || identityDocument.Trim().Length > 200) return Result.Fail(KeyError.Invalid, "Say which identity document you checked.");

        await using var db = await dbFactory.CreateDbContextAsync();
        var request = await db.KeyRecoveryRequests.SingleOrDefaultAsync(r => r.Id == requestId);
        if (request is null || request.Status != RecoveryStatus.AwaitingFacility || request.ExpiresAt <= clock.GetUtcNow())
            return Result.Fail(KeyError.NotPending, "This request is no longer waiting for a facility. Ask the patient to start again.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CodeHashOf(NormaliseCode(code))), Encoding.ASCII.GetBytes(request.CodeHash)))
        {
            request.FailedCodeAttempts++;
            var closed = request.FailedCodeAttempts >= MaxCodeAttempts;
            if (closed)
            {
                request.Status = RecoveryStatus.Failed;
                request.Reason = "Too many wrong recovery codes.";
            }
            await db.SaveChangesAsync();
            if (closed) notifier.Notify(request.Id);
            return Result.Fail(closed ? KeyError.CodeAttemptsUsedUp : KeyError.WrongCode, closed
                ? "Too many wrong codes: the request was closed. The patient must start a new one."
                : "That recovery code is not right. Ask the patient to read it from their new device.");
        }

        if (FacilityKey(facilityId) is not { } facilityKey) return Result.Fail(KeyError.FacilityNotApproved, "This facility's node is not approved on the network, so it cannot sign a recovery.");
        if (!Jwk.TryParse(JsonNode.Parse(request.NewKeyJwk), out var newKey, out _)) return Result.Fail(KeyError.Unreadable, "The request's key is not usable. Ask the patient to start again.");

        var tx = _tx.KeyRecover(request.Mpi, newKey, facilityKey.Id);
        request.FacilityId = facilityId;
        request.VerifiedByUserId = manager.FindFirstValue(ClaimTypes.NameIdentifier);
        request.IdentityDocument = identityDocument.Trim();
        request.VerifiedAt = clock.GetUtcNow();
        request.Body = tx.Body.ToJsonString();
        request.FacilitySignature = Base64Url.Encode(facilityKey.Sign(tx.SigningBytes));
        request.Status = RecoveryStatus.AwaitingAdmin;
        await db.SaveChangesAsync();
        notifier.Notify(request.Id);
        return Recovered;
    }

    // ---- the consortium admin ------------------------------------------------------------------------------

    /// <summary>Requests waiting for an admin first, then the latest decided ones.</summary>
    public async Task<IReadOnlyList<RecoveryReview>> ReviewListAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        var requests = await db.KeyRecoveryRequests.AsNoTracking().Where(r => r.VerifiedAt != null).ToListAsync();
        var facilities = await db.Facilities.AsNoTracking().ToDictionaryAsync(f => f.Id, f => f.Name);
        var userIds = requests.Select(r => r.VerifiedByUserId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName.Length > 0 ? u.DisplayName : u.Email ?? u.Id);
        return requests
            .OrderBy(r => r.Status == RecoveryStatus.AwaitingAdmin ? 0 : 1).ThenByDescending(r => r.VerifiedAt)
            .Take(50)
            .Select(r => new RecoveryReview(r.Id, r.Mpi, r.Status, facilities.GetValueOrDefault(r.FacilityId ?? "") ?? "?",
                names.GetValueOrDefault(r.VerifiedByUserId ?? "") ?? "?", r.IdentityDocument, r.VerifiedAt, r.NewKid,
                ledger.Reader.KeysOf(r.Mpi).Count(k => k.IsActive), r.Reason, r.Height))
            .ToList();
    }

    /// <summary>Co-signs the facility's key.recover with the consortium admin key (or the admin's wallet, <paramref name="sign"/>) and submits it.</summary>
    public async Task<Result<long?, KeyError>> ApproveAsync(ClaimsPrincipal admin, string requestId, CancellationToken ct = default, AdminSign? sign = null)
    {
        if (!await IsAdminAsync(admin)) return Result.Fail(KeyError.Forbidden, "Only a consortium admin can approve a recovery.");
        await notifier.Gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var request = await db.KeyRecoveryRequests.SingleOrDefaultAsync(r => r.Id == requestId, ct);
            if (request is not { Status: RecoveryStatus.AwaitingAdmin, Body: { } bodyText, FacilitySignature: { } facilitySignature, FacilityId: { } facilityId })
                return Result.Fail(KeyError.NotPending, "This request is not waiting for an admin.");
            if (FacilityKey(facilityId) is not { } facilityKey) return Result.Fail(KeyError.FacilityNotApproved, "The verifying facility is no longer approved on the network; the recovery cannot be signed.");

            var tx = Transaction.Create(TxType.KeyRecover, (JsonObject)JsonNode.Parse(bodyText)!).ValueOrThrow()
                .WithSignature(facilityKey.Id, Base64Url.Decode(facilitySignature));
            // The ledger takes a body only within its clock skew of the block, but an admin may decide hours after
            // the facility. The facility's node key is held by this portal, and its decision (who checked which
            // document, when) is on record here, so a stale body is stamped again for it: same patient, key and
            // facility, new time and nonce, signed again by the facility's key.
            var skew = TimeSpan.FromMilliseconds(ledger.Engine.Genesis.Parameters.MaxSkewMs);
            if (clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(tx.Timestamp) > skew / 2)
            {
                var restamped = _tx.KeyRecover(request.Mpi, Jwk.TryParse(tx.Body["key"], out var key, out _) ? key : throw new InvalidOperationException("stored body has no key"), facilityKey.Id);
                tx = restamped.SignWith(facilityKey);
                request.Body = tx.Body.ToJsonString();
                request.FacilitySignature = Base64Url.Encode(tx.Signatures[0].Signature);
            }
            Transaction signed;
            if (sign is null) signed = tx.SignWith(ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin));
            else
            {
                // A wallet that refuses leaves the request waiting (a restamped body is saved, the decision is not).
                var walletSigned = await sign(tx);
                if (!walletSigned.IsOk)
                {
                    await db.SaveChangesAsync(CancellationToken.None);
                    return Result.Fail(walletSigned.Error, walletSigned.Message!);
                }
                signed = walletSigned.Value!;
            }
            var result = await ledger.Engine.SubmitAsync(signed, ct);

            request.DecidedByUserId = admin.FindFirstValue(ClaimTypes.NameIdentifier);
            request.DecidedAt = clock.GetUtcNow();
            if (result.IsCommitted)
            {
                request.Status = RecoveryStatus.Completed;
                request.Height = result.Receipt!.Height;
                request.TransactionId = tx.IdText;
            }
            else if (result.Error != LedgerError.Busy)
            {
                request.Status = RecoveryStatus.Failed;
                request.Reason = "The ledger refused it: " + result.Message;
            }
            await db.SaveChangesAsync(CancellationToken.None);
            notifier.Notify(request.Id);
            if (result.IsCommitted) logger.LogInformation("Key recovery {Request} for {Mpi} committed at height {Height}", request.Id, request.Mpi, request.Height);
            return result.IsCommitted ? request.Height
                : Result.Fail(result.Error == LedgerError.Busy ? KeyError.Busy : KeyError.LedgerRefused,
                    result.Error == LedgerError.Busy ? "The network is busy. Try again in a moment." : request.Reason!);
        }
        finally
        {
            notifier.Gate.Release();
        }
    }

    public async Task<Result<long?, KeyError>> RejectAsync(ClaimsPrincipal admin, string requestId, string? reason)
    {
        if (!await IsAdminAsync(admin)) return Result.Fail(KeyError.Forbidden, "Only a consortium admin can reject a recovery.");
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 500) return Result.Fail(KeyError.Invalid, "Give the reason (at most 500 characters); the patient sees it.");
        await notifier.Gate.WaitAsync();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var request = await db.KeyRecoveryRequests.SingleOrDefaultAsync(r => r.Id == requestId);
            if (request is not { Status: RecoveryStatus.AwaitingAdmin }) return Result.Fail(KeyError.NotPending, "This request is not waiting for an admin.");
            request.Status = RecoveryStatus.Rejected;
            request.Reason = reason.Trim();
            request.DecidedByUserId = admin.FindFirstValue(ClaimTypes.NameIdentifier);
            request.DecidedAt = clock.GetUtcNow();
            await db.SaveChangesAsync();
            notifier.Notify(request.Id);
            return Recovered;
        }
        finally
        {
            notifier.Gate.Release();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The facility's node key, when it exists and the ledger has the node approved.</summary>
    private LedgerKeyPair? FacilityKey(string facilityId)
        => ledger.Keys.Find(ServerKeyVault.FacilityNode(facilityId)) is { } key && ledger.Reader.Node(key.Id)?.Status == NodeStatus.Approved ? key : null;

    public static string NewCode()
    {
        Span<char> code = stackalloc char[8];
        for (var i = 0; i < code.Length; i++) code[i] = CodeAlphabet[RandomNumberGenerator.GetInt32(CodeAlphabet.Length)];
        return new string(code);
    }

    public static string FormatCode(string code) => $"{code[..4]}-{code[4..]}";

    /// <summary>Upper case without spaces and dashes; the letters people confuse with digits read as those digits.</summary>
    public static string NormaliseCode(string? code)
        => new((code ?? "").ToUpperInvariant().Where(c => c is not (' ' or '-')).Select(c => c switch { 'O' => '0', 'I' or 'L' => '1', _ => c }).ToArray());

    private static string CodeHashOf(string code) => Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("healthportal-recovery:" + code)));

    private async Task<string?> PatientIdAsync(ClaimsPrincipal user)
        => (await authorization.AuthorizeAsync(user, PortalPolicies.PatientPortal)).Succeeded ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    private async Task<bool> MayManageAsync(ClaimsPrincipal manager, string facilityId)
        => (await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded;

    private async Task<bool> IsAdminAsync(ClaimsPrincipal admin)
        => (await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded;
}
