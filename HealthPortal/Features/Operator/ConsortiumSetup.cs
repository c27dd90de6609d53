using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Operator;

/// <summary>
/// Setting up a consortium whose organisations run their nodes on their own machines, where no one may hold another
/// organisation's key: <c>consortium key</c> makes (once) this node's key in its own vault and prints its public
/// entry; the organisation that seals the genesis collects every entry into one file and runs <c>consortium genesis</c>,
/// which signs the genesis file every node then starts from. Only public keys travel.
/// </summary>
public static class ConsortiumSetup
{
    /// <summary><c>consortium key --data DIR --name NAME --kind hospital|clinic|laboratory --endpoint URL</c>: prints this organisation's entry (one JSON line).</summary>
    public static int Key(string[] rest, TextWriter output, IConfiguration configuration)
    {
        if (Option(rest, "--data") is not { } data || Option(rest, "--name") is not { } name || Option(rest, "--kind") is not { } kind || Option(rest, "--endpoint") is not { } endpoint)
        {
            output.WriteLine("BAD usage: consortium key --data DIR --name NAME --kind hospital|clinic|laboratory --endpoint URL");
            return 2;
        }
        if (!NodeKind.IsValid(kind))
        {
            output.WriteLine($"BAD --kind must be hospital, clinic or laboratory (is '{kind}')");
            return 2;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            output.WriteLine($"BAD --endpoint must be an absolute http(s) URL, the node's FHIR base (is '{endpoint}')");
            return 2;
        }
        try
        {
            using var vault = NodeVault.Open(data, configuration, HostEnvironment());
            var key = vault.Keys.GetOrCreate(ServerKeyVault.GenesisNode);
            output.WriteLine(new JsonObject { ["name"] = name, ["kind"] = kind, ["endpoint"] = endpoint, ["key"] = key.PublicJwk.ToJson() }.ToJsonString());
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"BAD {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// <c>consortium genesis --data DIR --organisations FILE --out FILE</c>: FILE holds a JSON array of the entries
    /// <c>consortium key</c> printed, this node's first (it seals block 0, and its vault's consortium admin key is the
    /// genesis admin). Chain parameters come from <c>Ledger:Genesis</c>. Writes the signed genesis file.
    /// </summary>
    public static int Genesis(string[] rest, TextWriter output, IConfiguration configuration)
    {
        if (Option(rest, "--data") is not { } data || Option(rest, "--organisations") is not { } file || Option(rest, "--out") is not { } target)
        {
            output.WriteLine("BAD usage: consortium genesis --data DIR --organisations FILE --out FILE");
            return 2;
        }
        if (File.Exists(target))
        {
            output.WriteLine($"BAD {target} exists; a consortium has one genesis, so it is never overwritten");
            return 1;
        }
        try
        {
            var organisations = ReadOrganisations(file);
            using var vault = NodeVault.Open(data, configuration, HostEnvironment());
            if (vault.Keys.Find(ServerKeyVault.GenesisNode) is not { } sealer)
                throw new InvalidOperationException($"{data} holds no node key; run `consortium key` there first");
            if (organisations[0].Key.Thumbprint() != sealer.Id)
                throw new InvalidOperationException($"the first organisation in {file} must be this node's (key {sealer.Id}), which seals block 0");
            if (organisations.Select(o => o.Key.Thumbprint()).Distinct().Count() != organisations.Count)
                throw new InvalidOperationException($"{file} lists a key twice");
            var admin = vault.Keys.GetOrCreate(ServerKeyVault.ConsortiumAdmin);
            var settings = configuration.GetSection(LedgerSettings.Section).Get<LedgerSettings>() ?? new LedgerSettings();
            var genesis = new HealthPortal.Ledger.Blocks.Genesis(settings.Genesis.ChainId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [admin.PublicJwk], organisations[0],
                new GenesisParameters(settings.Genesis.PatientPowDifficultyBits, settings.Genesis.FacilityPowDifficultyBits, settings.Genesis.MaxGrantDays, settings.MaxClockSkewSeconds * 1000L),
                Founders: [.. organisations.Skip(1)]);
            if (genesis.Check() is { IsValid: false } bad) throw new InvalidOperationException($"the genesis would be invalid: {bad}");
            var signed = SignedGenesis.Seal(genesis, sealer);
            File.WriteAllText(target, signed.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            output.WriteLine($"OK genesis chain={genesis.ChainId} organisations={organisations.Count} hash={Base64Url.Encode(genesis.Hash())} file={target}");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or JsonException or FormatException or ArgumentException)
        {
            output.WriteLine($"BAD {e.Message}");
            return 1;
        }
    }

    private static List<GenesisNode> ReadOrganisations(string file)
    {
        if (JsonNode.Parse(File.ReadAllText(file)) is not JsonArray entries || entries.Count == 0)
            throw new InvalidOperationException($"{file} must hold a JSON array of the entries `consortium key` printed");
        return [.. entries.Select((e, i) =>
        {
            if (e is not JsonObject entry) throw new InvalidOperationException($"{file}: entry {i} is not an object");
            var name = (string?)entry["name"] ?? throw new InvalidOperationException($"{file}: entry {i} has no name");
            var kind = (string?)entry["kind"] ?? throw new InvalidOperationException($"{file}: entry {i} has no kind");
            var endpoint = (string?)entry["endpoint"] ?? throw new InvalidOperationException($"{file}: entry {i} has no endpoint");
            if (!Jwk.TryParse(entry["key"], out var key, out var error)) throw new InvalidOperationException($"{file}: entry {i} ({name}) has no usable key: {error}");
            return new GenesisNode(key, kind, name, endpoint);
        })];
    }

    /// <summary>The node's environment as its web host reads it (Production unless set), which decides whether its key ring needs a key-encryption key.</summary>
    private static string HostEnvironment()
        => Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";

    private static string? Option(string[] rest, string name)
    {
        for (var i = 0; i < rest.Length - 1; i++)
            if (rest[i] == name) return rest[i + 1];
        return null;
    }
}
