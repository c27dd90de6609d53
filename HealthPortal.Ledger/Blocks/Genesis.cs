using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Blocks;

/// <summary>Consensus parameters fixed in genesis: every node applies the same ones.</summary>
/// <param name="PatientPowBits">Leading zero bits a <c>patient.register</c> id must have (about a second in a browser at 16).</param>
/// <param name="FacilityPowBits">Leading zero bits a <c>node.register</c> id must have; higher than patients'.</param>
/// <param name="MaxGrantDays">Longest grant a patient may issue.</param>
/// <param name="MaxSkewMs">How far a transaction's timestamp may be from the clock (at submission) or its block (on replay).</param>
public sealed record GenesisParameters(int PatientPowBits, int FacilityPowBits, int MaxGrantDays, long MaxSkewMs)
{
    public static GenesisParameters Default { get; } = new(16, 20, 365, 300_000);
}

/// <summary>The first sealing node, approved from height 0.</summary>
public sealed record GenesisNode(Jwk Key, string Kind, string Name, string Endpoint);

/// <summary>
/// The chain's founding document: chain id, consortium admins, the first sealing node and the parameters.
/// Its canonical bytes are hashed into block 0, so every node agrees on them.
/// </summary>
/// <param name="WalletChainId">The numeric chain id wallets sign for (EIP-712 domain, <c>params.walletChainId</c>);
/// null leaves it out of the document, and <see cref="WalletDomain"/> derives one from the genesis hash instead, so
/// existing genesis documents (and their hashes) are unchanged.</param>
/// <param name="Founders">
/// Further facility nodes approved from height 0 (the other founding organisations of a consortium, so Raft has a
/// quorum of approved sealers before any admin decision). Optional: without founders the JSON carries no field, so the
/// hash of every genesis written before founders existed is unchanged.
/// </param>
/// <param name="AdminWallets">
/// Consortium admins that are Ethereum accounts (EIP-55 addresses, JSON <c>adminWallets</c>) beside the ES256
/// <see cref="Admins"/>: they sign admin transactions as EIP-712 typed data (docs/wallets.md), so the approval key can
/// live on a hardware wallet. Optional like <see cref="Founders"/>: absent, the document and its hash are unchanged.
/// </param>
public sealed record Genesis(string ChainId, long Timestamp, IReadOnlyList<Jwk> Admins, GenesisNode Sealer, GenesisParameters Parameters,
    long? WalletChainId = null, IReadOnlyList<GenesisNode>? Founders = null, IReadOnlyList<string>? AdminWallets = null)
{
    /// <summary>Every genesis admin's id: ES256 key thumbprints, then wallet addresses.</summary>
    public IEnumerable<string> AdminIds => [.. Admins.Select(a => a.Thumbprint()), .. AdminWallets ?? []];

    /// <summary>Every node approved at height 0: the sealer first, then the founders.</summary>
    public IEnumerable<GenesisNode> ApprovedAtGenesis => Founders is { Count: > 0 } f ? [Sealer, .. f] : [Sealer];

    private static JsonObject NodeJson(GenesisNode n)
        => new() { ["key"] = n.Key.ToJson(), ["kind"] = n.Kind, ["name"] = n.Name, ["endpoint"] = n.Endpoint };

    private static Result<GenesisNode> ParseNode(JsonNode? node, string what)
    {
        var s = node!.AsObject();
        if (!Jwk.TryParse(s["key"], out var key, out var error)) return Result<GenesisNode>.Fail(LedgerError.InvalidField, $"genesis {what}: " + error);
        return Result<GenesisNode>.Ok(new GenesisNode(key!, s["kind"]!.GetValue<string>(), s["name"]!.GetValue<string>(), s["endpoint"]!.GetValue<string>()));
    }

    public JsonObject ToJson()
    {
        var admins = new JsonArray();
        foreach (var a in Admins) admins.Add(a.ToJson());
        var json = new JsonObject
        {
            ["chain"] = ChainId,
            ["ts"] = Timestamp,
            ["admins"] = admins,
            ["sealer"] = NodeJson(Sealer),
            ["params"] = new JsonObject
            {
                ["patientPowBits"] = Parameters.PatientPowBits,
                ["facilityPowBits"] = Parameters.FacilityPowBits,
                ["maxGrantDays"] = Parameters.MaxGrantDays,
                ["maxSkewMs"] = Parameters.MaxSkewMs,
            },
        };
        if (Founders is { Count: > 0 })
        {
            var founders = new JsonArray();
            foreach (var f in Founders) founders.Add(NodeJson(f));
            json["founders"] = founders;
        }
        if (WalletChainId is { } walletChain) json["params"]!["walletChainId"] = walletChain;
        if (AdminWallets is { Count: > 0 }) json["adminWallets"] = new JsonArray([.. AdminWallets.Select(w => (JsonNode)w)]);
        return json;
    }

    /// <summary>
    /// The EIP-712 domain of this chain's wallet signatures: <see cref="WalletChainId"/>, or
    /// <see cref="Crypto.Wallet.WalletDomain.DeriveChainId"/> of the genesis hash when the document names none.
    /// </summary>
    public WalletDomain WalletDomain()
    {
        var hash = Hash();
        return Crypto.Wallet.WalletDomain.ForGenesis(hash, WalletChainId ?? Crypto.Wallet.WalletDomain.DeriveChainId(hash));
    }

    public byte[] CanonicalBytes() => Jcs.CanonicalizeOrThrow(ToJson());

    public byte[] Hash() => SHA256.HashData(CanonicalBytes());

    public static Result<Genesis> FromJson(JsonNode? node)
    {
        try
        {
            if (node is not JsonObject o) return Result<Genesis>.Fail(LedgerError.MalformedTransaction, "genesis must be an object");
            var admins = new List<Jwk>();
            foreach (var a in o["admins"]!.AsArray())
            {
                if (!Jwk.TryParse(a, out var jwk, out var error)) return Result<Genesis>.Fail(LedgerError.InvalidField, "genesis admin: " + error);
                admins.Add(jwk!);
            }
            var sealer = ParseNode(o["sealer"], "sealer");
            if (!sealer.IsSuccess) return Result<Genesis>.Fail(sealer.Error, sealer.Message!);
            List<GenesisNode>? founders = null;
            if (o["founders"] is JsonArray fa)
            {
                founders = [];
                foreach (var f in fa)
                {
                    var founder = ParseNode(f, "founder");
                    if (!founder.IsSuccess) return Result<Genesis>.Fail(founder.Error, founder.Message!);
                    founders.Add(founder.Value!);
                }
            }
            List<string>? adminWallets = null;
            if (o["adminWallets"] is JsonArray wa)
            {
                adminWallets = [];
                foreach (var w in wa)
                {
                    if (w is not JsonValue v || !v.TryGetValue<string>(out var address))
                        return Result<Genesis>.Fail(LedgerError.InvalidField, "genesis adminWallets: every entry is an address string");
                    adminWallets.Add(address);
                }
            }
            var p = o["params"]!.AsObject();
            var genesis = new Genesis(
                o["chain"]!.GetValue<string>(),
                o["ts"]!.GetValue<long>(),
                admins,
                sealer.Value!,
                new GenesisParameters(
                    p["patientPowBits"]!.GetValue<int>(), p["facilityPowBits"]!.GetValue<int>(),
                    p["maxGrantDays"]!.GetValue<int>(), p["maxSkewMs"]!.GetValue<long>()),
                p["walletChainId"]?.GetValue<long>(),
                founders,
                adminWallets);
            return genesis.Check() is { IsValid: false } bad ? Result<Genesis>.Fail(bad) : Result<Genesis>.Ok(genesis);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or System.Text.Json.JsonException)
        {
            return Result<Genesis>.Fail(LedgerError.MalformedTransaction, "genesis is malformed: " + e.Message);
        }
    }

    /// <summary>Checks the document is usable: at least one admin, a facility sealer, sane parameters.</summary>
    public Validation Check()
    {
        if (string.IsNullOrWhiteSpace(ChainId)) return Validation.Fail(LedgerError.InvalidField, "genesis: chain id required");
        if (Admins.Count == 0 && AdminWallets is not { Count: > 0 }) return Validation.Fail(LedgerError.InvalidField, "genesis: at least one consortium admin required");
        var adminIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in Admins)
            if (!adminIds.Add(a.Thumbprint())) return Validation.Fail(LedgerError.InvalidField, $"genesis: admin key {a.Thumbprint()} appears twice");
        foreach (var w in AdminWallets ?? [])
        {
            // The EIP-55 spelling only: an address is an admin id, and ids compare as exact strings everywhere.
            if (!EthereumAddress.TryParse(w, out var address, out var error)) return Validation.Fail(LedgerError.InvalidField, $"genesis: admin wallet {w}: {error}");
            if (address.ToString() != w) return Validation.Fail(LedgerError.InvalidField, $"genesis: write admin wallet {w} in its EIP-55 spelling, {address}");
            if (!adminIds.Add(w)) return Validation.Fail(LedgerError.InvalidField, $"genesis: admin wallet {w} appears twice");
        }
        if (!NodeKind.IsValid(Sealer.Kind)) return Validation.Fail(LedgerError.InvalidField, "genesis: sealer kind must be hospital, clinic or laboratory");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in ApprovedAtGenesis)
        {
            if (!NodeKind.IsValid(n.Kind)) return Validation.Fail(LedgerError.InvalidField, $"genesis: node '{n.Name}' kind must be hospital, clinic or laboratory");
            if (!ids.Add(n.Key.Thumbprint())) return Validation.Fail(LedgerError.InvalidField, $"genesis: node '{n.Name}' appears twice");
        }
        if (Parameters.PatientPowBits is < 0 or > 40 || Parameters.FacilityPowBits is < 0 or > 40)
            return Validation.Fail(LedgerError.InvalidField, "genesis: proof-of-work bits must be 0–40");
        if (Parameters.MaxGrantDays < 1) return Validation.Fail(LedgerError.InvalidField, "genesis: maxGrantDays must be positive");
        if (Parameters.MaxSkewMs < 1000) return Validation.Fail(LedgerError.InvalidField, "genesis: maxSkewMs must be at least 1000");
        if (WalletChainId is < 1 or > Crypto.Wallet.WalletDomain.MaxChainId)
            return Validation.Fail(LedgerError.InvalidField, $"genesis: walletChainId must be 1–{Crypto.Wallet.WalletDomain.MaxChainId}");
        return Validation.Ok;
    }
}
