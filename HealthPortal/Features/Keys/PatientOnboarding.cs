using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Keys;

/// <summary>What the browser must stamp (proof of work) and sign to register: the exact body, shown to the patient first.</summary>
public sealed record RegistrationDraft(string Type, JsonObject Body, int PowBits, string Mpi);

/// <summary>A registration that landed: the patient's MPI number and the block.</summary>
public sealed record Onboarded(string Mpi, long Height);

/// <summary>
/// Registers a patient on the ledger with a key made in their browser: the server drafts <c>patient.register</c>
/// (a fresh MPI number and the salted demographics hash), the browser solves the proof of work and signs, and
/// the server checks that what came back is its own draft before submitting it.
/// </summary>
public sealed class PatientOnboarding(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, TimeProvider clock)
{
    private readonly TransactionFactory _tx = new(clock);

    /// <summary>Drafts the registration for the calling patient and the public key their browser made.</summary>
    public async Task<Result<RegistrationDraft>> DraftAsync(ClaimsPrincipal patient, JsonNode? publicJwk)
    {
        if (!Jwk.TryParse(publicJwk, out var jwk, out var error)) return Result<RegistrationDraft>.Fail(LedgerError.InvalidField, "The browser's key is not usable: " + error);
        return await DraftForAsync(patient, jwk!);
    }

    /// <summary>The draft for <paramref name="firstKey"/>: a browser key (JWK) or a wallet address (EIP-55).</summary>
    private async Task<Result<RegistrationDraft>> DraftForAsync(ClaimsPrincipal patient, object firstKey)
    {
        if (await PatientIdAsync(patient) is not { } userId) return Result<RegistrationDraft>.Fail(LedgerError.SignerNotAuthorized, "Only a signed-in patient can register.");

        await using var db = await dbFactory.CreateDbContextAsync();
        var profile = await db.PatientProfiles.SingleOrDefaultAsync(p => p.UserId == userId);
        if (profile is null) return Result<RegistrationDraft>.Fail(LedgerError.MissingField, "Fill in your details first.");
        if (await AdoptCommittedDraftAsync(db, profile)) return Result<RegistrationDraft>.Fail(LedgerError.PatientAlreadyRegistered, $"You are already registered as {profile.MpiNumber}.");
        if (profile.MpiNumber is not null && ledger.Reader.Patient(profile.MpiNumber) is not null)
            return Result<RegistrationDraft>.Fail(LedgerError.PatientAlreadyRegistered, $"You are already registered as {profile.MpiNumber}.");

        profile.DemographicsSalt ??= DemographicsHash.NewSalt();
        var mpi = profile.PendingMpi ?? await FreshMpiAsync(db);
        profile.PendingMpi = mpi;
        await db.SaveChangesAsync();

        var hash = DemographicsHash.Of(profile);
        var body = firstKey is Jwk jwk ? _tx.PatientRegisterBody(jwk, mpi, hash) : _tx.PatientRegisterWalletBody((string)firstKey, mpi, hash);
        return Result<RegistrationDraft>.Ok(new RegistrationDraft(TxType.PatientRegister, body, ledger.Engine.Genesis.Parameters.PatientPowBits, mpi));
    }

    /// <summary>
    /// Drafts the registration of the calling patient with their wallet <paramref name="account"/> as the first key
    /// (instead of a browser key): the browser stamps the body, then the wallet signs the ledger's EIP-712
    /// <c>PatientRegister</c> struct for it (<see cref="WalletTypedDataFor"/>).
    /// </summary>
    public async Task<Result<RegistrationDraft>> DraftWalletAsync(ClaimsPrincipal patient, string account)
    {
        if (!HealthPortal.Ledger.Crypto.Wallet.EthereumAddress.TryParse(account, out var address, out _))
            return Result<RegistrationDraft>.Fail(LedgerError.InvalidField, "The wallet did not give a usable account address.");
        var wallet = address.ToString();
        if (ledger.Reader.Key(wallet) is not null) return Result<RegistrationDraft>.Fail(LedgerError.KeyAlreadyRegistered, $"The wallet account {wallet} is already on the ledger.");
        return await DraftForAsync(patient, wallet);
    }

    /// <summary>The JSON the wallet signs (<c>eth_signTypedData_v4</c>) for a stamped registration body.</summary>
    public Result<string, LedgerError> WalletTypedDataFor(JsonObject solvedBody) => PatientSignatures.TypedDataJson(ledger.Reader, TxType.PatientRegister, solvedBody);

    /// <summary>
    /// Submits the browser's stamped and signed registration. The body must be the draft for this patient
    /// (same MPI, same demographics hash); the ledger checks the proof of work and the signature.
    /// </summary>
    public async Task<Result<Onboarded, KeyError>> CompleteAsync(ClaimsPrincipal patient, JsonNode? solvedBody, string signature, CancellationToken ct = default)
    {
        if (await PatientIdAsync(patient) is not { } userId) return Result.Fail(KeyError.NotRegistered, "Only a signed-in patient can register.");
        if (solvedBody is not JsonObject body) return Result.Fail(KeyError.Unreadable, "The browser sent no registration.");
        // A wallet registering itself: its 0x-hex signature of the PatientRegister struct, checked before submitting.
        var isWallet = body.ContainsKey("wallet");
        byte[] sig;
        if (isWallet)
        {
            if (!HealthPortal.Ledger.Crypto.Wallet.WalletVerifier.TryDecodeHex(signature, out sig)) return Result.Fail(KeyError.Unreadable, "The wallet's signature is not readable.");
        }
        else if (!Base64Url.TryDecode(signature, out sig)) return Result.Fail(KeyError.Unreadable, "The browser's signature is not readable.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var profile = await db.PatientProfiles.SingleOrDefaultAsync(p => p.UserId == userId, ct);
        if (profile?.PendingMpi is null || profile.DemographicsSalt is null) return Result.Fail(KeyError.NotPending, "Start the registration again: no draft is waiting.");
        // A draft made before the hash's version 2 carries a version 1 hash; both are this profile's.
        if (PatientKeys.StringOf(body, "mpi") != profile.PendingMpi || !DemographicsHash.Matches(profile, PatientKeys.StringOf(body, "demographics")))
            return Result.Fail(KeyError.NotYours, "The signed registration is not the one drafted for you.");
        var created = Transaction.Create(TxType.PatientRegister, body);
        if (!created.IsSuccess) return Result.Fail(KeyError.Unreadable, created.Message!);
        string kid;
        if (isWallet)
        {
            if (!HealthPortal.Ledger.Crypto.Wallet.EthereumAddress.TryParseCanonical(PatientKeys.StringOf(body, "wallet"), out var wallet))
                return Result.Fail(KeyError.Unreadable, "The registration names no usable wallet address.");
            if (ledger.Reader.WalletTypedData(created.Value!) is not { } data) return Result.Fail(KeyError.Unreadable, "No typed data for this registration.");
            var check = HealthPortal.Ledger.Crypto.Wallet.WalletVerifier.Verify(data, ledger.Reader.WalletDomain, wallet, sig);
            if (!check.IsValid)
                return Result.Fail(KeyError.BadSignature, check.Error == HealthPortal.Ledger.Crypto.Wallet.WalletSignatureError.WrongSigner
                    ? $"The wallet signed with another account ({check.Recovered}) or other data; select {wallet} in your wallet and try again."
                    : $"The wallet's signature was refused ({check.Error}): {check.Message}");
            kid = wallet;
        }
        else
        {
            if (!Jwk.TryParse(body["key"], out var jwk, out var keyError)) return Result.Fail(KeyError.Unreadable, "The browser's key is not usable: " + keyError);
            kid = jwk!.Thumbprint();
        }
        var result = await ledger.Engine.SubmitAsync(created.Value!.WithSignature(kid, sig), ct);
        // A second tab (or a retry after a lost answer) may have landed the same draft already: that is success.
        if (!result.IsCommitted && result.Error is LedgerError.PatientAlreadyRegistered or LedgerError.DuplicateTransaction
            && await AdoptCommittedDraftAsync(db, profile))
            return new Onboarded(profile.MpiNumber!, ledger.Reader.Patient(profile.MpiNumber!)!.RegisteredHeight);
        if (!result.IsCommitted) return Result.Fail(result.Error switch
        {
            LedgerError.InsufficientProofOfWork => KeyError.InsufficientProofOfWork,
            LedgerError.BadSignature or LedgerError.WalletSignatureRefused => KeyError.BadSignature,
            LedgerError.TimestampOutOfRange => KeyError.Expired,
            LedgerError.KeyAlreadyRegistered => KeyError.KeyAlreadyRegistered,
            _ => KeyError.LedgerRefused,
        }, result.Error switch
        {
            LedgerError.InsufficientProofOfWork => "The proof of work was not finished. Try again.",
            LedgerError.BadSignature => "The signature from this browser did not verify. Try again.",
            LedgerError.TimestampOutOfRange => "The registration took too long and expired. Start again.",
            _ => $"The ledger refused the registration: {result.Message}",
        });

        profile.MpiNumber = profile.PendingMpi;
        profile.PendingMpi = null;
        profile.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(CancellationToken.None);
        return new Onboarded(profile.MpiNumber!, result.Receipt!.Height);
    }

    /// <summary>
    /// When the pending MPI number is on the ledger with this profile's demographics hash, the registration landed
    /// but the portal did not hear of it (a crash between commit and save, a second tab): record it now.
    /// </summary>
    private async Task<bool> AdoptCommittedDraftAsync(ApplicationDbContext db, PatientProfile profile)
    {
        if (profile.PendingMpi is not { } pending || profile.DemographicsSalt is null) return false;
        if (ledger.Reader.Patient(pending) is not { } entry) return false;
        // Registrations made before the hash's version 2 carry a version 1 hash on the ledger, which is never rewritten.
        if (!DemographicsHash.Matches(profile, entry.DemographicsHash)) return false;
        profile.MpiNumber = pending;
        profile.PendingMpi = null;
        profile.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(CancellationToken.None);
        return true;
    }

    private async Task<string> FreshMpiAsync(ApplicationDbContext db)
    {
        while (true)
        {
            var mpi = MpiNumber.NewNumber();
            if (ledger.Reader.Patient(mpi) is null && !await db.PatientProfiles.AnyAsync(p => p.MpiNumber == mpi || p.PendingMpi == mpi))
                return mpi;
        }
    }

    private async Task<string?> PatientIdAsync(ClaimsPrincipal user)
        => (await authorization.AuthorizeAsync(user, PortalPolicies.PatientPortal)).Succeeded ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
}
