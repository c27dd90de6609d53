using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Bench;

/// <summary>
/// The items a <c>POST /fhir/r4</c> repeats per record (issue 17), each timed on the thread's own clock over the entries
/// of a posted Bundle, so that the POST's CPU per record can be split: the entry's FHIR parsed (Firely), the record's
/// FHIR JSON written for the review and the hash, that JSON canonicalized and hashed, the <c>record.anchor</c> made and
/// signed by the facility node, the ledger's check of it, and its JSON for the confirmation row. What the POST costs
/// beyond their sum is the HTTP exchange, the mapping, the store and portal database writes (EF Core). The two items
/// issue 17 changed are also timed the way they were made before (the entry written out as text and parsed; the record
/// serialized to a string and that string parsed again to be hashed), over the same entries.
/// </summary>
internal sealed class PostItems
{
    // The items the POST makes now, in order; then the two it made before issue 17's change, timed over the same entries.
    private static readonly string[] Names = ["fhir_parse", "fhir_json_and_hash", "anchor_make_and_sign", "ledger_check", "anchor_json"];
    private static readonly string[] Before = ["fhir_parse_via_text", "fhir_json_then_hash_of_text"];
    private readonly double[] _ns = new double[Names.Length];
    private readonly double[] _beforeNs = new double[Before.Length];
    private long _records;

    /// <summary>Times the items over every entry of <paramref name="bundle"/> as the hospital <paramref name="facilityId"/> would anchor them.</summary>
    public void Measure(IServiceProvider services, string facilityId, byte[] bundle)
    {
        var ledger = services.GetRequiredService<LedgerHost>();
        var nodeKey = ledger.Keys.Find(ServerKeyVault.FacilityNode(facilityId)) ?? throw new InvalidOperationException("bench: no node key of " + facilityId);
        var factory = new TransactionFactory(TimeProvider.System);
        var entries = JsonNode.Parse(bundle)!["entry"]!.AsArray();
        foreach (var entry in entries)
        {
            var resourceJson = entry!["resource"]!.AsObject();
            var mpi = (string)resourceJson["subject"]!["identifier"]!["value"]!;
            var t0 = ThreadCpu.CurrentThreadNanoseconds();
            var resource = FhirJson.Deserialize(resourceJson);
            var t1 = ThreadCpu.CurrentThreadNanoseconds();
            var (_, hash) = RecordHash.JsonAndHashOf(resource);
            var t2 = ThreadCpu.CurrentThreadNanoseconds();
            var recordId = "enc-bench-" + _records;
            var tx = factory.RecordAnchor(mpi, nodeKey.Id, recordId, "encounter", "2020-01-01", hash, "Encounter/" + recordId).SignWith(nodeKey);
            var t3 = ThreadCpu.CurrentThreadNanoseconds();
            var check = ledger.Engine.Check(tx);
            var t4 = ThreadCpu.CurrentThreadNanoseconds();
            _ = tx.ToJsonString();
            var t5 = ThreadCpu.CurrentThreadNanoseconds();
            if (!check.IsSuccess) throw new InvalidOperationException("bench: the anchor did not pass the ledger's check: " + check.Message);
            long[] marks = [t0, t1, t2, t3, t4, t5];
            for (var i = 0; i < Names.Length; i++) _ns[i] += marks[i + 1] - marks[i];

            var b0 = ThreadCpu.CurrentThreadNanoseconds();
            var again = JsonSerializer.Deserialize<Resource>(resourceJson.ToJsonString(), FhirJson.Options)!;
            var b1 = ThreadCpu.CurrentThreadNanoseconds();
            var hashOfText = RecordHash.OfJson(RecordHash.JsonOf(again));
            var b2 = ThreadCpu.CurrentThreadNanoseconds();
            if (hashOfText != hash) throw new InvalidOperationException("bench: the hash of the text differs from the hash of the UTF-8");
            _beforeNs[0] += b1 - b0;
            _beforeNs[1] += b2 - b1;
            _records++;
        }
    }

    public double TotalUs => _records == 0 ? 0 : _ns.Sum() / _records / 1000;

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        for (var i = 0; i < Names.Length; i++) json[Names[i] + "_us"] = Math.Round(_records == 0 ? 0 : _ns[i] / _records / 1000, 1);
        json["sum_us"] = Math.Round(TotalUs, 1);
        for (var i = 0; i < Before.Length; i++) json["before_" + Before[i] + "_us"] = Math.Round(_records == 0 ? 0 : _beforeNs[i] / _records / 1000, 1);
        return json;
    }

    public override string ToString() =>
        string.Join(", ", Names.Select((n, i) => $"{n} {(_records == 0 ? 0 : _ns[i] / _records / 1000):N1} µs")) + $"; sum {TotalUs:N1} µs; as before: " +
        string.Join(", ", Before.Select((n, i) => $"{n} {(_records == 0 ? 0 : _beforeNs[i] / _records / 1000):N1} µs"));
}
