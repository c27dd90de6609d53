using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Interop;

/// <summary>
/// Cross-node reads: <c>access.log</c> must be signed by the <b>accessing</b> facility (a ledger rule), and the serving
/// node does not hold the caller's key. So the serving node decides (grant, records) and answers 428 with the
/// unsigned logs it will commit (<see cref="DraftHeader"/>); the caller checks that each one is about itself and this
/// very read, signs it, and asks again with the signed logs (<see cref="SignedHeader"/>); the serving node accepts
/// them only if they are exactly its decision (everything but timestamp and nonce), commits them, and only then
/// returns data. The caller never signs a log the serving node made up, and the serving node never returns data
/// whose access is not on the ledger. Both headers carry base64url of a JSON array of transactions in wire form.
/// </summary>
public static class AccessLogDrafts
{
    public const string DraftHeader = "HP-Access-Log-Draft";
    public const string SignedHeader = "HP-Access-Log-Signed";

    /// <summary>One log per basis (grant or break-glass) of a read: a handful at most; more is not a read we made.</summary>
    public const int MaxLogs = 16;

    /// <summary>Bounded below Kestrel's 32 KB default for all request headers together.</summary>
    public const int MaxHeaderLength = 24_000;

    public static string Encode(IEnumerable<Transaction> txs) =>
        Base64Url.Encode(Encoding.UTF8.GetBytes(new JsonArray([.. txs.Select(t => (JsonNode)t.ToJson())]).ToJsonString()));

    /// <summary>The transactions of a header, or null when it is absent, too long or not well formed.</summary>
    public static IReadOnlyList<Transaction>? Decode(string? header)
    {
        if (string.IsNullOrEmpty(header) || header.Length > MaxHeaderLength || !Base64Url.TryDecode(header, out var bytes)) return null;
        try
        {
            if (JsonNode.Parse(bytes) is not JsonArray array || array.Count is 0 or > MaxLogs) return null;
            var txs = new List<Transaction>();
            foreach (var item in array)
            {
                if (item is null || TransactionCodec.Parse(item.ToJsonString()) is not { IsSuccess: true } parsed || parsed.Value!.Type != TxType.AccessLog) return null;
                txs.Add(parsed.Value);
            }
            return txs;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="signed"/> says exactly what <paramref name="draft"/> says, timestamp and nonce aside.</summary>
    public static bool SameAccess(Transaction draft, Transaction signed) =>
        draft.Type == signed.Type && Canonical(draft.Body).AsSpan().SequenceEqual(Canonical(signed.Body));

    private static byte[] Canonical(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        copy.Remove("ts");
        copy.Remove("nonce");
        return Jcs.Canonicalize(copy).Bytes ?? [];
    }

    /// <summary>
    /// The caller's check before signing a draft: a log of its own facility and staff id, of the patient and purpose it
    /// asked about, naming only records anchored for that patient on its own replica (for a single read, only the record
    /// it asked for), and a grant of that patient to it — or break-glass only if it claimed a session.
    /// </summary>
    public static string? Problem(Transaction draft, LedgerReader ledger, string facility, string staff, string mpi, string purpose,
        string? onlyRecord, bool breakGlassClaimed)
    {
        if (PayloadParser.Parse(draft) is not { IsSuccess: true, Value: AccessLogPayload p }) return "not a well-formed access.log";
        if (p.Facility != facility || p.Staff != staff) return "it names another facility or staff id";
        if (p.Mpi != mpi || p.Purpose != purpose) return "it names another patient or purpose";
        foreach (var reference in p.Records)
        {
            var slash = reference.IndexOf('/');
            var record = slash <= 0 ? null : ledger.Record(reference[..slash], reference[(slash + 1)..]);
            if (record is null || record.Mpi != mpi) return $"record {reference} is not a record of this patient here";
            if (onlyRecord is not null && reference != onlyRecord) return $"record {reference} was not asked for";
        }
        if (p.Grant is not null)
        {
            var grant = ledger.Grant(p.Grant);
            if (grant is null || grant.Mpi != mpi || grant.Facility != facility) return "its grant is not a grant of this patient to this facility on this node's ledger";
        }
        if (p.BreakGlass is not null && !breakGlassClaimed) return "it claims an emergency access that was not asked for";
        return null;
    }
}
