using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.ABI.EIP712;

namespace HealthPortal.Ledger.Crypto.Wallet;

/// <summary>
/// The EIP-712 domain of one HealthPortal chain: <c>{name: "HealthPortal", version: "1", chainId, verifyingContract}</c>,
/// where <c>verifyingContract</c> is the first 20 bytes of the genesis hash. A wallet signature for one chain therefore
/// recovers another address on any other chain (or another version of the signing format).
/// </summary>
/// <param name="ChainId">The consortium's numeric chain id (genesis <c>params.walletChainId</c>, or <see cref="DeriveChainId"/>).</param>
/// <param name="VerifyingContract">EIP-55 spelling of the first 20 bytes of the genesis hash; no contract exists at it.</param>
public sealed record WalletDomain(long ChainId, string VerifyingContract)
{
    /// <summary>The domain name every HealthPortal signature carries.</summary>
    public const string Name = "HealthPortal";

    /// <summary>The version of the typed-data layouts in <see cref="WalletTypedData"/>; bump it when one changes.</summary>
    public const string Version = "1";

    /// <summary>
    /// The largest chain id MetaMask accepts (<c>0x000FFFFFFFFFFFEC</c>); it is also below 2^53, so a browser holds it
    /// exactly as a JavaScript number.
    /// </summary>
    public const long MaxChainId = 4_503_599_627_370_476;

    /// <summary>The domain for a chain whose genesis document hashes to <paramref name="genesisHash"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="genesisHash"/> is shorter than 20 bytes or <paramref name="chainId"/> is out of 1..<see cref="MaxChainId"/>.</exception>
    public static WalletDomain ForGenesis(ReadOnlySpan<byte> genesisHash, long chainId)
    {
        if (genesisHash.Length < EthereumAddress.Length) throw new ArgumentException("The genesis hash is 32 bytes.", nameof(genesisHash));
        if (chainId is < 1 or > MaxChainId) throw new ArgumentException($"A wallet chain id is 1..{MaxChainId}.", nameof(chainId));
        return new WalletDomain(chainId, EthereumAddress.FromBytes(genesisHash[..EthereumAddress.Length]).ToString());
    }

    /// <summary>
    /// The chain id of a genesis document that names none: 2^51 + the first 6 bytes of the genesis hash read as a
    /// big-endian 48-bit integer. That is deterministic, in [2^51, 2^51 + 2^48) — far above the chain ids public EVM
    /// networks use, so a wallet never confuses it with one, and below <see cref="MaxChainId"/>.
    /// </summary>
    public static long DeriveChainId(ReadOnlySpan<byte> genesisHash)
    {
        if (genesisHash.Length < 6) throw new ArgumentException("The genesis hash is 32 bytes.", nameof(genesisHash));
        Span<byte> eight = stackalloc byte[8];
        genesisHash[..6].CopyTo(eight[2..]);
        return (1L << 51) + BinaryPrimitives.ReadInt64BigEndian(eight);
    }

    /// <summary>The <c>EIP712Domain</c> type, members in the order they are hashed.</summary>
    public static MemberDescription[] Type { get; } =
    [
        new() { Name = "name", Type = "string" },
        new() { Name = "version", Type = "string" },
        new() { Name = "chainId", Type = "uint256" },
        new() { Name = "verifyingContract", Type = "address" },
    ];

    internal MemberValue[] RawValues() =>
    [
        new() { TypeName = "string", Value = Name },
        new() { TypeName = "string", Value = Version },
        new() { TypeName = "uint256", Value = new BigInteger(ChainId) },
        new() { TypeName = "address", Value = VerifyingContract },
    ];

    /// <summary>The domain as <c>eth_signTypedData_v4</c> takes it (chain id as a JSON number).</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["version"] = Version,
        ["chainId"] = ChainId,
        ["verifyingContract"] = VerifyingContract,
    };
}
