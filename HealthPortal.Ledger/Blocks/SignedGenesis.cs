using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.Storage;

namespace HealthPortal.Ledger.Blocks;

/// <summary>
/// The genesis document together with block 0 as its sealer signed it, once. Every replica of a consortium starts
/// from the same one (a genesis file), so a node that is not the genesis sealer can open a new chain without the
/// sealer's private key, and every node's block 0 is byte-identical (same head hash everywhere).
/// </summary>
public sealed record SignedGenesis(Genesis Genesis, byte[] HeaderBytes, byte[] Signature)
{
    /// <summary>Seals block 0 of <paramref name="genesis"/>; only its sealer can.</summary>
    public static SignedGenesis Seal(Genesis genesis, LedgerKeyPair sealer)
    {
        if (genesis.Sealer.Key.Thumbprint() != sealer.Id) throw new InvalidOperationException("block 0 is signed by the genesis sealer");
        var header = new BlockHeader(BlockHeader.CurrentVersion, genesis.ChainId, 0, new byte[32], MerkleHash.Empty(), MerkleHash.Empty(), 0, 0,
            genesis.Timestamp, sealer.Id, MerkleHash.Empty(), genesis.Hash());
        var bytes = header.CanonicalBytes();
        return new SignedGenesis(genesis, bytes, sealer.Sign(bytes));
    }

    /// <summary>
    /// Checks that the header is exactly block 0 of this genesis (height 0, its chain, its hash, no transactions, an
    /// empty history) and that the genesis sealer's signature on it verifies. Null when it holds; the reason otherwise.
    /// </summary>
    public string? Problem()
    {
        if (Genesis.Check() is { IsValid: false } bad) return bad.ToString();
        var parsed = BlockHeader.Parse(HeaderBytes);
        if (!parsed.IsSuccess) return "block 0 header: " + parsed.Message;
        var h = parsed.Value!;
        if (h.Height != 0 || h.TxCount != 0 || h.TxTotal != 0) return "the header is not an empty block 0";
        if (h.Chain != Genesis.ChainId) return $"block 0 names chain '{h.Chain}', the genesis '{Genesis.ChainId}'";
        if (h.Genesis is null || !h.Genesis.AsSpan().SequenceEqual(Genesis.Hash())) return "block 0 does not commit to this genesis document";
        if (!h.Previous.AsSpan().SequenceEqual(new byte[32]) || !h.History.AsSpan().SequenceEqual(MerkleHash.Empty())) return "block 0 links to something";
        if (h.Proposer != Genesis.Sealer.Key.Thumbprint()) return "block 0 is not proposed by the genesis sealer";
        if (h.Timestamp != Genesis.Timestamp) return "block 0's time is not the genesis time";
        if (!new PublicKeyCache().Verify(Genesis.Sealer.Key, HeaderBytes, Signature)) return "the genesis sealer's signature on block 0 does not verify";
        return null;
    }

    internal StoredBlock ToStoredBlock() => new(BlockHeader.Parse(HeaderBytes).ValueOrThrow(), HeaderBytes, Signature, BlockHeader.HashOf(HeaderBytes), 0, 0);

    /// <summary>The genesis file: <c>{"genesis": {…}, "block0": "base64url header", "signature": "base64url"}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["genesis"] = Genesis.ToJson(), ["block0"] = Base64Url.Encode(HeaderBytes), ["signature"] = Base64Url.Encode(Signature),
    };

    /// <summary>Reads a genesis file and checks it (<see cref="Problem"/>).</summary>
    public static Result<SignedGenesis> FromJson(JsonNode? node)
    {
        try
        {
            if (node is not JsonObject o) return Result<SignedGenesis>.Fail(LedgerError.MalformedTransaction, "genesis file must be an object");
            var genesis = Genesis.FromJson(o["genesis"]);
            if (!genesis.IsSuccess) return Result<SignedGenesis>.Fail(genesis.Error, genesis.Message!);
            var signed = new SignedGenesis(genesis.Value!, Base64Url.Decode(o["block0"]!.GetValue<string>()), Base64Url.Decode(o["signature"]!.GetValue<string>()));
            return signed.Problem() is { } problem ? Result<SignedGenesis>.Fail(LedgerError.InvalidField, problem) : Result<SignedGenesis>.Ok(signed);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or System.Text.Json.JsonException)
        {
            return Result<SignedGenesis>.Fail(LedgerError.MalformedTransaction, "genesis file is malformed: " + e.Message);
        }
    }
}
