using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Keys;

/// <summary>
/// Signs an admin transaction (node decision, recovery co-signature): with the server-held consortium key, or by asking
/// the admin's wallet. Returns the transaction with the admin's signature added; a refusal means nothing was submitted.
/// </summary>
public delegate Task<Result<Transaction, KeyError>> AdminSign(Transaction unsigned);

/// <summary>A consortium admin's wallet as the portal knows it: the address linked to the account, and whether the ledger has it as an active admin.</summary>
public sealed record AdminWalletStatus(string? Address, bool OnLedger, bool Revoked);

/// <summary>
/// Consortium admins' Ethereum wallets: linking one to an admin account (an <c>admin.add</c> signed by the wallet as
/// proof of possession and co-signed with the server-held admin key), and signing admin transactions with it. The
/// address is kept as a claim of the account (<see cref="ClaimType"/>); the ledger, not the claim, decides whether the
/// wallet may sign: it must be an active admin there.
/// </summary>
public sealed class AdminWallets(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger,
    TimeProvider clock, ILogger<AdminWallets> logger)
{
    /// <summary>The claim holding an admin account's wallet address (EIP-55).</summary>
    public const string ClaimType = "healthportal:admin-wallet";

    private readonly TransactionFactory _tx = new(clock);

    /// <summary>The wallet linked to this admin's account, and its standing on the ledger; null for anyone not an admin.</summary>
    public async Task<AdminWalletStatus?> StatusAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return null;
        var address = await LinkedAsync(admin);
        var entry = address is null ? null : ledger.Reader.Admin(address);
        return new AdminWalletStatus(address, entry is { IsActive: true }, entry is { IsActive: false });
    }

    /// <summary>
    /// The <c>admin.add</c> a wallet signs to become a consortium admin (and to prove it holds the address), with the
    /// typed data to hand to <c>eth_signTypedData_v4</c>. For a wallet already an admin on the ledger (named in
    /// genesis, or added from another account) the same proof links it without a second <c>admin.add</c>.
    /// </summary>
    public async Task<Result<(Transaction Tx, string TypedData), KeyError>> PrepareLinkAsync(ClaimsPrincipal admin, string? address)
    {
        if (!await IsAdminAsync(admin)) return Result.Fail(KeyError.Forbidden, "Only a consortium admin can link an admin wallet.");
        if (!EthereumAddress.TryParse(address, out var parsed, out var error)) return Result.Fail(KeyError.Unreadable, $"The wallet gave no usable address: {error}");
        var canonical = parsed.ToString();
        var holder = ledger.Reader.HolderOf(canonical);
        if (holder is HealthPortal.Ledger.Reading.KeyHolder.Patient or HealthPortal.Ledger.Reading.KeyHolder.Facility)
            return Result.Fail(KeyError.KeyAlreadyRegistered, $"{canonical} is already a patient's or a facility's key on the ledger; use another account of your wallet for the consortium.");
        if (ledger.Reader.Admin(canonical) is { IsActive: false })
            return Result.Fail(KeyError.KeyNotActive, $"{canonical} was removed as a consortium admin and cannot be linked again; use another account of your wallet.");
        var tx = _tx.AdminAdd(canonical);
        return (tx, ledger.Reader.WalletTypedData(tx)!.ToJson(ledger.Reader.WalletDomain).ToJsonString());
    }

    /// <summary>
    /// Checks the wallet's signature of <paramref name="tx"/> (from <see cref="PrepareLinkAsync"/>), submits the
    /// <c>admin.add</c> co-signed with the server-held admin key (unless the wallet is an admin already), and links the
    /// address to this account.
    /// </summary>
    public async Task<Result<string, KeyError>> CompleteLinkAsync(ClaimsPrincipal admin, Transaction tx, string? signatureHex)
    {
        if (!await IsAdminAsync(admin) || admin.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
            return Result.Fail(KeyError.Forbidden, "Only a consortium admin can link an admin wallet.");
        if (tx.Type != TxType.AdminAdd || tx.GetString("wallet") is not { } address) return Result.Fail(KeyError.Unreadable, "This is not a wallet link.");
        var signed = AddWalletSignature(tx, address, signatureHex);
        if (!signed.IsOk) return Result.Fail(signed.Error, signed.Message!);
        if (!ledger.Reader.IsAdmin(address))
        {
            var result = await ledger.Engine.SubmitAsync(signed.Value!.SignWith(ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin)), CancellationToken.None);
            if (!result.IsCommitted)
                return Result.Fail(result.Error == LedgerError.Busy ? KeyError.Busy : KeyError.LedgerRefused, $"The ledger refused the new admin wallet: {result.Message}. Nothing was linked.");
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        db.UserClaims.RemoveRange(await db.UserClaims.Where(c => c.UserId == userId && c.ClaimType == ClaimType).ToListAsync());
        db.UserClaims.Add(new IdentityUserClaim<string> { UserId = userId, ClaimType = ClaimType, ClaimValue = address });
        await db.SaveChangesAsync();
        logger.LogInformation("Admin {User} linked wallet {Address} (an admin on the ledger)", userId, address);
        return address;
    }

    /// <summary>Forgets the wallet linked to this account (the ledger keeps it as an admin until an <c>admin.revoke</c>).</summary>
    public async Task<bool> UnlinkAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin) || admin.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return false;
        await using var db = await dbFactory.CreateDbContextAsync();
        db.UserClaims.RemoveRange(await db.UserClaims.Where(c => c.UserId == userId && c.ClaimType == ClaimType).ToListAsync());
        await db.SaveChangesAsync();
        return true;
    }

    /// <summary>The wallet admins on the ledger (active first); the genesis ES256 admin keys are not listed here.</summary>
    public async Task<IReadOnlyList<AdminEntry>> WalletAdminsAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return [];
        return ledger.Reader.AdminList.Where(a => a.Key is null).OrderBy(a => !a.IsActive).ThenBy(a => a.AddedHeight).ToList();
    }

    /// <summary>
    /// Removes a wallet admin (a lost or compromised wallet, an admin who left) with an <c>admin.revoke</c> signed by
    /// <paramref name="sign"/>; the ledger refuses to remove the last admin. Accounts that linked the wallet keep the
    /// claim, and their page says it was removed, so nobody wonders why "my wallet" disappeared from the signing pages.
    /// </summary>
    public async Task<Result<string, KeyError>> RevokeAsync(ClaimsPrincipal admin, string? address, AdminSign? sign = null)
    {
        if (!await IsAdminAsync(admin)) return Result.Fail(KeyError.Forbidden, "Only a consortium admin can remove an admin wallet.");
        if (!EthereumAddress.TryParse(address, out var parsed, out var error)) return Result.Fail(KeyError.Unreadable, $"This is not a wallet address: {error}");
        var canonical = parsed.ToString();
        if (ledger.Reader.Admin(canonical) is not { Key: null } entry) return Result.Fail(KeyError.NotYours, $"{canonical} is not a wallet admin on the ledger. Nothing was submitted.");
        if (!entry.IsActive) return Result.Fail(KeyError.KeyNotActive, $"{canonical} was already removed as a consortium admin. Nothing was submitted.");
        var signed = await (sign ?? ServerKey())(_tx.AdminRevoke(canonical));
        if (!signed.IsOk) return Result.Fail(signed.Error, signed.Message!);
        var result = await ledger.Engine.SubmitAsync(signed.Value!, CancellationToken.None);
        if (result.IsCommitted)
        {
            logger.LogInformation("Admin wallet {Address} revoked", canonical);
            return canonical;
        }
        return result.Error switch
        {
            LedgerError.LastAdmin => Result.Fail(KeyError.LastKey, $"{canonical} is the consortium's last admin: add another admin before removing it. Nothing changed."),
            LedgerError.Busy => Result.Fail(KeyError.Busy, "The network is busy; try again in a moment. Nothing changed."),
            _ => Result.Fail(KeyError.LedgerRefused, $"The ledger refused the removal: {result.Message}. Nothing changed."),
        };
    }

    /// <summary>Signs with the server-held consortium admin key (the demo's, and any node's without admin wallets).</summary>
    public AdminSign ServerKey() => unsigned => Task.FromResult<Result<Transaction, KeyError>>(unsigned.SignWith(ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin)));

    /// <summary>
    /// Signs with the wallet linked to <paramref name="admin"/>'s account through <paramref name="wallet"/> (the page's
    /// <see cref="BrowserWallet"/>): the wallet is shown the ledger's typed data for exactly the transaction, and its
    /// signature is checked here before anything is submitted. Null when no active admin wallet is linked.
    /// </summary>
    public async Task<AdminSign?> WalletAsync(ClaimsPrincipal admin, BrowserWallet wallet, string? providerId)
    {
        if (await StatusAsync(admin) is not { Address: { } address, OnLedger: true }) return null;
        return async unsigned =>
        {
            if (ledger.Reader.WalletTypedData(unsigned) is not { } data)
                return Result.Fail(KeyError.Unreadable, $"A wallet cannot sign {unsigned.Type} (its facility is not on the ledger). Nothing was submitted.");
            var domain = ledger.Reader.WalletDomain;
            var answer = await wallet.SignAsync(providerId, address, data.ToJson(domain).ToJsonString(), domain.ChainId);
            return answer.IsOk
                ? AddWalletSignature(unsigned, address, answer.Value)
                : Result.Fail(KeyError.BadSignature, answer.Message!);
        };
    }

    /// <summary>The transaction with the wallet's signature, once it recovers <paramref name="address"/> from the ledger's typed data.</summary>
    private Result<Transaction, KeyError> AddWalletSignature(Transaction tx, string address, string? signatureHex)
    {
        if (!WalletVerifier.TryDecodeHex(signatureHex, out var signature))
            return Result.Fail(KeyError.Unreadable, "The wallet's signature is not 65 bytes of hex. Nothing was submitted.");
        if (ledger.Reader.WalletTypedData(tx) is not { } data)
            return Result.Fail(KeyError.Unreadable, $"A wallet cannot sign {tx.Type}. Nothing was submitted.");
        var check = WalletVerifier.Verify(data, ledger.Reader.WalletDomain, address, signature);
        if (!check.IsValid)
            return Result.Fail(KeyError.BadSignature, check.Error == WalletSignatureError.WrongSigner && check.Recovered is { Length: > 0 } other
                ? $"The wallet signed with {other}, not {address}, or signed other data. Nothing was submitted."
                : $"The wallet's signature was refused ({check.Error}: {check.Message}). Nothing was submitted.");
        return tx.WithSignature(address, signature);
    }

    private async Task<string?> LinkedAsync(ClaimsPrincipal admin)
    {
        if (admin.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.UserClaims.AsNoTracking().Where(c => c.UserId == userId && c.ClaimType == ClaimType).Select(c => c.ClaimValue).FirstOrDefaultAsync();
    }

    private async Task<bool> IsAdminAsync(ClaimsPrincipal admin)
        => (await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded;
}
