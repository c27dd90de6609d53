using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Ledger.Transactions;

/// <summary>
/// <see cref="TransactionCodec.Parse(ReadOnlySpan{byte})"/> reads well-formed submissions on a one-pass fast path and
/// hands everything else to the general reader. The fast path must build the same transaction the general reader
/// builds, and must decline (so the general reader answers, with its code and message) whatever it is not sure of.
/// </summary>
public sealed class TransactionCodecFastPathTests
{
    private static readonly LedgerKeyPair Facility = LedgerKeyPair.Create();
    private static readonly LedgerKeyPair Patient = LedgerKeyPair.Create();
    private static readonly LedgerKeyPair Other = LedgerKeyPair.Create();

    private static IEnumerable<Transaction> EveryType()
    {
        var f = new TransactionFactory();
        var hash = Base64Url.Encode(new byte[32]);
        yield return f.NodeRegister(Facility.PublicJwk, NodeKind.Laboratory, "Lab é \"quoted\" <b>", "https://lab.example/x?a=1&b=2", 2).SignWith(Facility);
        yield return f.NodeApprove(Facility.Id).SignWith(Other);
        yield return f.NodeReject(Facility.Id, "no: \u2028 line separator, tab\t, emoji 😀").SignWith(Other);
        yield return f.PatientRegister(Patient.PublicJwk, "MPI-0001", hash, 2).SignWith(Patient);
        yield return f.KeyAdd("MPI-0001", Other.PublicJwk).SignWith(Patient).SignWith(Other);
        yield return f.KeyRevoke("MPI-0001", Other.Id).SignWith(Patient);
        yield return f.KeyRecover("MPI-0001", Other.PublicJwk, Facility.Id).SignWith(Facility).SignWith(Other);
        yield return f.RecordAnchor("MPI-0001", Facility.Id, "enc-1", "encounter", "2026-01-02", hash, "https://h.example/fhir/Encounter/enc-1").SignWith(Facility).SignWith(Patient);
        yield return f.GrantIssue("MPI-0001", Facility.Id, ["lab", "encounter"], "treatment", 1, 2).SignWith(Patient);
        yield return f.GrantRevoke("MPI-0001", hash).SignWith(Patient);
        yield return f.AccessLog(Facility.Id, "staff-1", "MPI-0001", ["a/b", "c/d"], hash, null, "treatment").SignWith(Facility);
        yield return f.AccessLog(Facility.Id, "staff-1", "MPI-0001", [], null, new BreakGlassBasis(BreakGlassReasons.Unconscious, hash), "emergency");
    }

    /// <summary>The wire form, and the same transaction indented, reordered and with every non-ASCII character escaped or not.</summary>
    // Variants that come out byte-identical (no non-ASCII text to escape) are one case, not xunit "duplicate ID" skips.
    public static IEnumerable<object[]> WellFormed() => WellFormedVariants().Distinct().Select(wire => new object[] { wire });

    private static IEnumerable<string> WellFormedVariants()
    {
        foreach (var tx in EveryType())
        {
            var json = tx.ToJson();
            yield return tx.ToJsonString();
            yield return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            yield return json.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            var reversed = new JsonObject();
            foreach (var (name, value) in json.Reverse()) reversed[name] = value is JsonObject o ? new JsonObject(o.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))) : value?.DeepClone();
            yield return reversed.ToJsonString();
        }
        yield return """{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"}}""";
        yield return """{"type":"node.approve","body":{"ts":-5,"nonce":"abcdefgh","node":"x","extra":[true,false,null,{"a":[1,[2]]}]},"signatures":[]}""";
    }

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void WellFormedInput_TheFastPathBuildsWhatTheGeneralReaderBuilds(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        var fast = TransactionCodec.TryParseWellFormed(bytes);
        var general = TransactionCodec.ParseGeneral(bytes);
        Assert.NotNull(fast);
        Assert.True(general.IsSuccess, general.Message);
        var expected = general.Value!;
        Assert.Equal(expected.Type, fast.Type);
        Assert.Equal(expected.SigningBytes, fast.SigningBytes);
        Assert.Equal(expected.IdText, fast.IdText);
        Assert.Equal(expected.Signatures.Select(s => (s.Kid, Base64Url.Encode(s.Signature))), fast.Signatures.Select(s => (s.Kid, Base64Url.Encode(s.Signature))));
        Assert.Equal(expected.Timestamp, fast.Timestamp);
        Assert.Equal(expected.Body.ToJsonString(), fast.Body.ToJsonString());
        Assert.Equal(Describe(PayloadParser.Parse(expected)), Describe(PayloadParser.Parse(fast)));
        Assert.Equal(expected.ToJsonString(), fast.ToJsonString());
    }

    public static IEnumerable<object[]> Unusual() =>
    [
        ["""{"type":"node.approve","body":{"ts":1,"ts":2,"nonce":"abcdefgh","node":"x"},"signatures":[]}"""],
        ["""{"type":"node.approve","type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"}}"""],
        ["""{"type":"node.approve","body":{"ts":-0,"nonce":"abcdefgh","node":"x"},"signatures":[]}"""],
        ["""{"type":"node.approve","body":{"ts":1.5,"nonce":"abcdefgh","node":"x"},"signatures":[]}"""],
        ["""{"type":"node.approve","body":{"ts":1e3,"nonce":"abcdefgh","node":"x"},"signatures":[]}"""],
        ["""{"type":"node.approve","body":{"ts":99999999999999999999,"nonce":"abcdefgh","node":"x"},"signatures":[]}"""],
        ["""{"type":"no.such","body":{"ts":1,"nonce":"abcdefgh"},"signatures":[]}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[],"extra":1}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":null}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[{"kid":"k","sig":"AA","x":1}]}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[{"kid":"k","sig":"not base64!"}]}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[{"kid":"k","sig":"AAAA"}]}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[null]}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"\ud800"},"signatures":[]}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[]} trailing"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[]"""],
        ["""{"type":1,"body":{"ts":1,"nonce":"abcdefgh","node":"x"}}"""],
        ["""{"type":"node.approve","body":[]}"""],
        ["""{"type":"node.approve"}"""],
        ["""[1,2]"""],
        ["""{"type":"node.approve","body":{"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}}"""],
        ["""{"type":"node.approve","body":{"ts":1,"nonce":"abcdefgh","node":"x"},"signatures":[{"kid":1,"sig":"AA"}]}"""],
    ];

    [Theory]
    [MemberData(nameof(Unusual))]
    public void UnusualInput_IsLeftToTheGeneralReader(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        Assert.Null(TransactionCodec.TryParseWellFormed(bytes));
        Result<Transaction> general, parsed;
        try { general = TransactionCodec.ParseGeneral(bytes); }
        catch (Exception e) { Assert.Equal(e.GetType(), Record.Exception(() => TransactionCodec.Parse(bytes))?.GetType()); return; }
        parsed = TransactionCodec.Parse(bytes);
        Assert.Equal(general.Error, parsed.Error);
        Assert.Equal(general.Message, parsed.Message);
        Assert.Equal(general.Value?.IdText, parsed.Value?.IdText);
    }

    private static string Describe(Result<TxPayload> payload)
        => payload.IsSuccess ? JsonSerializer.Serialize(payload.Value!, payload.Value!.GetType()) : $"{payload.Error}: {payload.Message}";
}
