using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>
/// Checks that need no ledger state beyond the (append-only, content-addressed) key directory: structure, timestamp
/// against the clock, proof of work and signatures. Safe to run on many threads at once; this is where the CPU goes.
/// </summary>
/// <param name="walletDomain">With <paramref name="facilityName"/>: recover wallet signatures here too, in parallel, from
/// the committed state's facility names (see <see cref="ParsedTransaction.WalletDigests"/>); without, the stateful
/// pass recovers them all.</param>
public sealed class StatelessValidator(GenesisParameters parameters, PublicKeyCache keyCache, Func<string, Jwk?> resolveKey, TimeProvider clock,
    Crypto.Wallet.WalletDomain? walletDomain = null, Func<string, WalletFacility?>? facilityName = null)
{
    public Result<ParsedTransaction> Validate(Transaction tx, bool checkClock = true)
    {
        var payload = PayloadParser.Parse(tx);
        if (!payload.IsSuccess) return Result<ParsedTransaction>.Fail(payload.Error, payload.Message!);

        if (checkClock)
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (Math.Abs(tx.Timestamp - now) > parameters.MaxSkewMs)
                return Result<ParsedTransaction>.Fail(LedgerError.TimestampOutOfRange,
                    $"$.body.ts: {tx.Timestamp} is more than {parameters.MaxSkewMs} ms from the ledger clock ({now})");
        }

        var powBits = tx.Type switch
        {
            TxType.NodeRegister => parameters.FacilityPowBits,
            // A keyless registration (a child's) is signed by an approved facility instead of solving a puzzle.
            TxType.PatientRegister when payload.Value is not KeylessRegisterPayload => parameters.PatientPowBits,
            _ => 0,
        };
        if (powBits > 0 && !ProofOfWork.Satisfies(tx, powBits))
            return Result<ParsedTransaction>.Fail(LedgerError.InsufficientProofOfWork,
                $"$.body.pow: the transaction id has {ProofOfWork.LeadingZeroBits(tx.Id)} leading zero bits; {powBits} required");

        if (tx.Signatures.Count == 0)
            return Result<ParsedTransaction>.Fail(LedgerError.MissingSignature, "$.signatures: at least one signature is required");
        var verified = new bool[tx.Signatures.Count];
        byte[]?[]? walletDigests = null;
        for (var i = 0; i < tx.Signatures.Count; i++)
        {
            var sig = tx.Signatures[i];
            for (var j = 0; j < i; j++)
                if (tx.Signatures[j].Kid == sig.Kid)
                    return Result<ParsedTransaction>.Fail(LedgerError.UnexpectedSignature, $"$.signatures[{i}]: key {sig.Kid} signed twice");
            // Wallet signatures need the facility names and wallet keys of the block's state: the stateful pass checks them,
            // but the costly part, recovering the address, can be done here with the committed names (a facility registered
            // in the block being built has none yet: then it is left whole to the stateful pass, as is any failure here).
            if (sig.IsWallet)
            {
                if (walletDomain is not null && facilityName is not null
                    && WalletSignatures.TypedDataFor(tx, payload.Value!, facilityName) is { } data)
                {
                    var digest = data.Digest(walletDomain);
                    if (Crypto.Wallet.WalletVerifier.VerifyDigest(digest, sig.Kid, sig.Signature).IsValid)
                        (walletDigests ??= new byte[]?[tx.Signatures.Count])[i] = digest;
                }
                continue;
            }
            var jwk = EmbeddedKey(payload.Value!, sig.Kid) ?? resolveKey(sig.Kid);
            if (jwk is null) continue; // not known yet (e.g. registered in a block still being built): the stateful pass verifies it
            if (!keyCache.Verify(jwk, tx.SigningBytes, sig.Signature))
                return Result<ParsedTransaction>.Fail(LedgerError.BadSignature, $"$.signatures[{i}]: signature by {sig.Kid} does not verify");
            verified[i] = true;
        }
        return Result<ParsedTransaction>.Ok(new ParsedTransaction(tx, payload.Value!, verified) { WalletDigests = walletDigests });
    }

    /// <summary>Keys a transaction introduces itself (registrations, new device, recovery key).</summary>
    internal static Jwk? EmbeddedKey(TxPayload payload, string kid)
    {
        var key = payload switch
        {
            NodeRegisterPayload p => p.Key,
            PatientRegisterPayload p => p.Key,
            KeyAddPayload p => p.Key,
            KeyRecoverPayload p => p.Key,
            _ => null,
        };
        return key is not null && key.Thumbprint() == kid ? key : null;
    }
}
