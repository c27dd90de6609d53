using System.Text.Json.Nodes;
using NBitcoin.Secp256k1;

namespace HealthPortal.Ledger.Crypto.Wallet;

/// <summary>
/// Checks <c>eth_signTypedData_v4</c> signatures: 65 bytes <c>r‖s‖v</c> over an EIP-712 digest, by recovering the
/// signer's address and comparing it with the expected one. Never throws for bad input; every refusal has a
/// <see cref="WalletSignatureError"/>. Stateless and safe on any number of threads.
/// </summary>
/// <remarks>
/// Recovery runs on NBitcoin.Secp256k1 (Nethereum's own dependency) directly: it gives the same address as
/// Nethereum's <c>Eip712TypedDataSigner.RecoverFromSignatureV4</c> (the tests compare both) several times faster than
/// Nethereum's default BouncyCastle path, without switching Nethereum's process-wide
/// <c>EthECKey.SignRecoverable</c>. A tampered message does not fail to recover: it recovers another address, which is
/// why the comparison with the expected signer is the check. Nothing is cached, so a revoked key can never ride on an
/// earlier success.
/// </remarks>
public static class WalletVerifier
{
    /// <summary>Length of a wallet signature: r (32) ‖ s (32) ‖ v (1).</summary>
    public const int SignatureLength = 65;

    // secp256k1 group order n and n/2, big-endian.
    private static ReadOnlySpan<byte> Order =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ];

    private static ReadOnlySpan<byte> HalfOrder =>
    [
        0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
    ];

    /// <summary>Checks that <paramref name="signature"/> is <paramref name="expectedAddress"/>'s signature of <paramref name="data"/> in <paramref name="domain"/>.</summary>
    public static WalletVerification Verify(WalletTypedData data, WalletDomain domain, string expectedAddress, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(domain);
        return VerifyDigest(data.Digest(domain), expectedAddress, signature);
    }

    /// <summary>Checks a signature of a 32-byte EIP-712 digest (<see cref="WalletTypedData.Digest"/>) against the expected address.</summary>
    public static WalletVerification VerifyDigest(ReadOnlySpan<byte> digest, string expectedAddress, ReadOnlySpan<byte> signature)
    {
        if (!EthereumAddress.TryParse(expectedAddress, out var expected, out var addressError))
            return WalletVerification.Fail(WalletSignatureError.MalformedAddress, addressError);
        var recovered = Recover(digest, signature);
        if (!recovered.IsValid) return recovered;
        return EthereumAddress.TryParse(recovered.Recovered, out var actual, out _) && actual.Equals(expected)
            ? recovered
            : WalletVerification.Fail(WalletSignatureError.WrongSigner,
                $"the signature was made by {recovered.Recovered}, not {expected}, or over other typed data", recovered.Recovered);
    }

    /// <summary>The EIP-55 address that made <paramref name="signature"/> over <paramref name="digest"/>, after the strictness checks.</summary>
    public static WalletVerification Recover(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        if (digest.Length != 32) throw new ArgumentException("An EIP-712 digest is 32 bytes.", nameof(digest));
        if (signature.Length != SignatureLength)
            return WalletVerification.Fail(WalletSignatureError.MalformedSignature, $"a wallet signature is {SignatureLength} bytes r‖s‖v, not {signature.Length}");
        var v = signature[64];
        if (v is not (27 or 28))
            return WalletVerification.Fail(WalletSignatureError.BadRecoveryId, $"v is {v}; only 27 and 28 are accepted");
        var r = signature[..32];
        var s = signature[32..64];
        if (IsZero(r) || IsZero(s) || r.SequenceCompareTo(Order) >= 0 || s.SequenceCompareTo(Order) >= 0)
            return WalletVerification.Fail(WalletSignatureError.ScalarOutOfRange, "r and s must be in 1..n-1");
        if (s.SequenceCompareTo(HalfOrder) > 0)
            return WalletVerification.Fail(WalletSignatureError.HighS, "s is above n/2 (a malleable signature; EIP-2 requires low s)");

        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(signature[..64], v - 27, out var recoverable) || recoverable is null
            || !ECPubKey.TryRecover(Context.Instance, recoverable, digest, out var publicKey) || publicKey is null)
            return WalletVerification.Fail(WalletSignatureError.NotRecoverable, "no public key recovers from this signature");
        Span<byte> uncompressed = stackalloc byte[65];
        publicKey.WriteToSpan(false, uncompressed, out _);
        return WalletVerification.Ok(EthereumAddress.FromPublicKey(uncompressed[1..]).ToString());
    }

    /// <summary>Reads the hex signature a wallet returns (<c>0x</c> + 130 hex digits). Never throws.</summary>
    public static bool TryDecodeHex(string? text, out byte[] signature)
    {
        signature = [];
        if (text is null || text.Length != 2 + 2 * SignatureLength || !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            signature = Convert.FromHexString(text.AsSpan(2));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Compares the typed data a wallet was asked to sign (as the browser sends it back) with what the ledger rebuilds,
    /// so a page can say precisely what is wrong before anything is submitted: another chain id, another domain, or
    /// other fields. The ledger itself never needs this: it only checks the signature against its own typed data.
    /// </summary>
    public static WalletVerification CheckPresented(JsonNode? presented, WalletTypedData expected, WalletDomain domain)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(domain);
        if (presented is not JsonObject o || o["domain"] is not JsonObject d)
            return WalletVerification.Fail(WalletSignatureError.TypedDataMismatch, "the typed data has no domain");
        var ours = domain.ToJson();
        if (d["chainId"]?.ToJsonString().Trim('"') is not { } chain || chain != domain.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return WalletVerification.Fail(WalletSignatureError.WrongChain, $"the typed data names chain {d["chainId"]?.ToJsonString() ?? "none"}; this ledger is chain {domain.ChainId}");
        foreach (var name in new[] { "name", "version" })
            if (d[name]?.ToJsonString() != ours[name]!.ToJsonString())
                return WalletVerification.Fail(WalletSignatureError.WrongDomain, $"the typed data's domain {name} is {d[name]?.ToJsonString() ?? "missing"}, not {ours[name]!.ToJsonString()}");
        if (d["verifyingContract"] is not JsonValue contractValue || !contractValue.TryGetValue<string>(out var contractText)
            || !EthereumAddress.TryParse(contractText, out var contract, out _)
            || contract.ToString() != domain.VerifyingContract)
            return WalletVerification.Fail(WalletSignatureError.WrongDomain, "the typed data's verifyingContract is not this chain's genesis");
        var mine = expected.ToJson(domain);
        if (!JsonNode.DeepEquals(o["primaryType"], mine["primaryType"]) || !JsonNode.DeepEquals(o["message"], mine["message"])
            || !JsonNode.DeepEquals(o["types"], mine["types"]))
            return WalletVerification.Fail(WalletSignatureError.TypedDataMismatch, "the typed data differs from the transaction's");
        return WalletVerification.Ok("");
    }

    private static bool IsZero(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;
}
