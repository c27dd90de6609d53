using System.Globalization;
using System.Text.Json.Nodes;
using Nethereum.ABI.EIP712;
using Nethereum.Util;

namespace HealthPortal.Ledger.Crypto.Wallet;

/// <summary>
/// The EIP-712 message a wallet signs for one ledger transaction: one struct per transaction type, holding the fields
/// a person needs to judge it, plus <c>txId</c> (the transaction id, SHA-256 of its canonical <c>{type, body}</c>),
/// which binds every other body field (nonce, timestamp, hashes) without showing it.
/// </summary>
/// <remarks>
/// Layouts (version <see cref="WalletDomain.Version"/>); every string is the body's value as it is, times are
/// UTC with milliseconds, <c>yyyy-MM-dd HH:mm:ss.fff UTC</c>, of the body's Unix milliseconds (a space, not ISO's
/// <c>T</c>: easier to read in a wallet, and JSON readers such as Newtonsoft's do not turn it into a date and re-spell it):
/// <code>
/// GrantIssue(string patient,string facilityName,string facilityId,string[] kinds,string purpose,string from,string until,bytes32 txId)
/// GrantRevoke(string patient,string grant,bytes32 txId)
/// KeyAdd(string patient,string key,bytes32 txId)
/// KeyRevoke(string patient,string key,bytes32 txId)
/// RecordCosign(string patient,string facilityName,string facilityId,string kind,string date,string record,string contentHash,bytes32 txId)
/// NodeApprove(string facilityName,string facilityId,string kind,string endpoint,bytes32 txId)
/// NodeReject(string facilityName,string facilityId,string reason,bytes32 txId)
/// NodeRevoke(string facilityName,string facilityId,string reason,bytes32 txId)
/// RecoveryCosign(string patient,string newKey,string facilityName,string facilityId,bytes32 txId)
/// AdminAdd(string admin,bytes32 txId)
/// AdminRevoke(string admin,bytes32 txId)
/// </code>
/// The last six are consortium admins' signatures: the facility's name, kind and endpoint are its registration's, the
/// reason the <c>NodeDecisionReasons</c> code; the patient's new key is a JWK thumbprint or a wallet address.
/// </remarks>
public sealed class WalletTypedData
{
    /// <summary>A member of the primary struct: EIP-712 name, type, and value (string, string list or 32 bytes).</summary>
    public sealed record Member(string Name, string Type, object Value);

    private WalletTypedData(string primaryType, IReadOnlyList<Member> members)
    {
        PrimaryType = primaryType;
        Members = members;
    }

    /// <summary>The struct name, e.g. <c>GrantIssue</c>.</summary>
    public string PrimaryType { get; }

    /// <summary>The members in the order they are hashed.</summary>
    public IReadOnlyList<Member> Members { get; }

    /// <summary>The <c>txId</c> member's 32 bytes.</summary>
    public byte[] TxId => (byte[])Members.Single(m => m.Name == "txId").Value;

    public static WalletTypedData GrantIssue(string patient, string facilityName, string facilityId, IReadOnlyList<string> kinds,
        string purpose, long fromMs, long untilMs, byte[] txId) => new("GrantIssue",
    [
        new("patient", "string", patient),
        new("facilityName", "string", facilityName),
        new("facilityId", "string", facilityId),
        new("kinds", "string[]", kinds.ToList()),
        new("purpose", "string", purpose),
        new("from", "string", Time(fromMs)),
        new("until", "string", Time(untilMs)),
        TxIdMember(txId),
    ]);

    public static WalletTypedData GrantRevoke(string patient, string grant, byte[] txId) => new("GrantRevoke",
        [new("patient", "string", patient), new("grant", "string", grant), TxIdMember(txId)]);

    public static WalletTypedData KeyAdd(string patient, string key, byte[] txId) => new("KeyAdd",
        [new("patient", "string", patient), new("key", "string", key), TxIdMember(txId)]);

    /// <summary>A patient's registration with a wallet as the first key; <paramref name="demographics"/> is the salted hash (never the demographics).</summary>
    public static WalletTypedData PatientRegister(string patient, string key, string demographics, byte[] txId) => new("PatientRegister",
        [new("patient", "string", patient), new("key", "string", key), new("demographics", "string", demographics), TxIdMember(txId)]);

    public static WalletTypedData KeyRevoke(string patient, string key, byte[] txId) => new("KeyRevoke",
        [new("patient", "string", patient), new("key", "string", key), TxIdMember(txId)]);

    public static WalletTypedData RecordCosign(string patient, string facilityName, string facilityId, string kind, string date,
        string record, string contentHash, byte[] txId) => new("RecordCosign",
    [
        new("patient", "string", patient),
        new("facilityName", "string", facilityName),
        new("facilityId", "string", facilityId),
        new("kind", "string", kind),
        new("date", "string", date),
        new("record", "string", record),
        new("contentHash", "string", contentHash),
        TxIdMember(txId),
    ]);

    /// <summary>An admin's approval of a facility's application, with what the application registered.</summary>
    public static WalletTypedData NodeApprove(string facilityName, string facilityId, string kind, string endpoint, byte[] txId) => new("NodeApprove",
        [new("facilityName", "string", facilityName), new("facilityId", "string", facilityId), new("kind", "string", kind),
         new("endpoint", "string", endpoint), TxIdMember(txId)]);

    /// <summary>An admin's rejection of an application (<paramref name="reason"/> a <c>NodeDecisionReasons</c> code).</summary>
    public static WalletTypedData NodeReject(string facilityName, string facilityId, string reason, byte[] txId) => new("NodeReject",
        [new("facilityName", "string", facilityName), new("facilityId", "string", facilityId), new("reason", "string", reason), TxIdMember(txId)]);

    /// <summary>An admin's revocation of a member facility (<paramref name="reason"/> a <c>NodeDecisionReasons</c> code).</summary>
    public static WalletTypedData NodeRevoke(string facilityName, string facilityId, string reason, byte[] txId) => new("NodeRevoke",
        [new("facilityName", "string", facilityName), new("facilityId", "string", facilityId), new("reason", "string", reason), TxIdMember(txId)]);

    /// <summary>An admin's co-signature of a key recovery: the patient, the key (thumbprint or wallet) that replaces all of theirs, and the facility that checked who they are.</summary>
    public static WalletTypedData RecoveryCosign(string patient, string newKey, string facilityName, string facilityId, byte[] txId) => new("RecoveryCosign",
        [new("patient", "string", patient), new("newKey", "string", newKey), new("facilityName", "string", facilityName),
         new("facilityId", "string", facilityId), TxIdMember(txId)]);

    /// <summary>admin.add: signed by the existing admin (if a wallet) and by the new admin wallet (proof of possession).</summary>
    public static WalletTypedData AdminAdd(string admin, byte[] txId) => new("AdminAdd", [new("admin", "string", admin), TxIdMember(txId)]);

    /// <summary>admin.revoke of <paramref name="admin"/> (a key thumbprint or a wallet address).</summary>
    public static WalletTypedData AdminRevoke(string admin, byte[] txId) => new("AdminRevoke", [new("admin", "string", admin), TxIdMember(txId)]);

    /// <summary>The EIP-712 digest a wallet signs: Keccak-256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)).</summary>
    public byte[] Digest(WalletDomain domain)
    {
        var raw = new TypedDataRaw
        {
            PrimaryType = PrimaryType,
            Types = new Dictionary<string, MemberDescription[]>
            {
                ["EIP712Domain"] = WalletDomain.Type,
                [PrimaryType] = [.. Members.Select(m => new MemberDescription { Name = m.Name, Type = m.Type })],
            },
            DomainRawValues = domain.RawValues(),
            Message = [.. Members.Select(m => new MemberValue { TypeName = m.Type, Value = m.Value })],
        };
        return Sha3Keccack.Current.CalculateHash(Eip712TypedDataEncoder.Current.EncodeTypedDataRaw(raw));
    }

    /// <summary>
    /// The typed data as <c>eth_signTypedData_v4</c> takes it (<c>{types, primaryType, domain, message}</c>; bytes32 as
    /// 0x-hex). What the wallet shows is exactly what <see cref="Digest"/> hashes.
    /// </summary>
    public JsonObject ToJson(WalletDomain domain)
    {
        var domainType = new JsonArray([.. WalletDomain.Type.Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["type"] = d.Type })]);
        var primary = new JsonArray([.. Members.Select(m => (JsonNode)new JsonObject { ["name"] = m.Name, ["type"] = m.Type })]);
        var message = new JsonObject();
        foreach (var m in Members)
        {
            message[m.Name] = m.Value switch
            {
                string s => s,
                byte[] b => "0x" + Convert.ToHexStringLower(b),
                IEnumerable<string> list => new JsonArray([.. list.Select(x => (JsonNode)x)]),
                _ => throw new InvalidOperationException($"member {m.Name} has an unsupported value"),
            };
        }
        return new JsonObject
        {
            ["types"] = new JsonObject { ["EIP712Domain"] = domainType, [PrimaryType] = primary },
            ["primaryType"] = PrimaryType,
            ["domain"] = domain.ToJson(),
            ["message"] = message,
        };
    }

    /// <summary>Unix milliseconds as the UTC text the structs carry, e.g. <c>2026-12-05 23:50:47.000 UTC</c>.</summary>
    public static string Time(long unixMs)
        => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);

    private static Member TxIdMember(byte[] txId)
        => txId.Length == 32 ? new("txId", "bytes32", txId.ToArray()) : throw new ArgumentException("A transaction id is 32 bytes.", nameof(txId));
}
