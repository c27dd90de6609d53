using System.Text;
using CsCheck;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// A correction (record.anchor with supersedes) replaces the newest version of a record of the same patient written
/// by the same facility; the versions of a record form one chain the reader can walk either way.
/// </summary>
public sealed class SupersessionRulesTests(ITestOutputHelper output)
{
    private const string Mpi = "MPI-0001";

    private static Transaction Correction(LedgerKit kit, LedgerKeyPair facility, LedgerKeyPair patient, string mpi, string record, string supersedes)
        => kit.Tx.RecordAnchor(mpi, facility.Id, record, "lab", "2026-11-25", LedgerKit.Hash(record), $"Observation/{record}", supersedes)
            .SignWith(facility).SignWith(patient);

    [Fact]
    public async Task Correction_OfOwnRecordOfSamePatient_CommitsAndLinksTheVersions()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));

        await kit.MustCommit(Correction(kit, lab, patient, Mpi, "lab-1-v2", $"{lab.Id}/lab-1"));

        var reader = kit.Engine.Reader;
        Assert.Equal("lab-1-v2", reader.SupersededBy(lab.Id, "lab-1"));
        Assert.Null(reader.SupersededBy(lab.Id, "lab-1-v2"));
        Assert.Equal("lab-1-v2", reader.CurrentVersion(lab.Id, "lab-1")!.RecordId);
        var history = reader.History(lab.Id, "lab-1-v2");
        Assert.Equal(["lab-1", "lab-1-v2"], history.Select(v => v.Record.RecordId));
        Assert.Null(history[0].Supersedes);
        Assert.Equal("lab-1", history[1].Supersedes);
        Assert.True(history[1].IsCurrent);
        Assert.Equal("lab-1-v2", reader.SupersessionsOf(Mpi)[(lab.Id, "lab-1")]);
    }

    [Fact]
    public async Task Correction_OfRecordNeverAnchored_IsRefusedUnknownSupersededRecord()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);

        await kit.MustRefuse(Correction(kit, lab, patient, Mpi, "lab-1-v2", $"{lab.Id}/lab-1"), LedgerError.UnknownSupersededRecord);
        Assert.Null(kit.Engine.Reader.Record(lab.Id, "lab-1-v2"));
    }

    [Fact]
    public async Task Correction_OfAnotherPatientsRecord_IsRefusedSupersedesOtherPatient()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        var other = await kit.Patient("MPI-0002");
        await kit.MustCommit(kit.Anchor(lab, other, "MPI-0002", "lab-9"));

        await kit.MustRefuse(Correction(kit, lab, patient, Mpi, "lab-1-v2", $"{lab.Id}/lab-9"), LedgerError.SupersedesOtherPatient);
    }

    [Fact]
    public async Task Correction_OfAnotherFacilitysRecord_IsRefusedSupersedesOtherFacility()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(clinic, patient, Mpi, "visit-1"));

        await kit.MustRefuse(Correction(kit, lab, patient, Mpi, "lab-1-v2", $"{clinic.Id}/visit-1"), LedgerError.SupersedesOtherFacility);
    }

    [Fact]
    public async Task Correction_OfVersionAlreadyCorrected_IsRefusedAlreadySuperseded()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(Correction(kit, lab, patient, Mpi, "lab-1-v2", $"{lab.Id}/lab-1"));

        // A second correction must name the newest version, not fork the chain from the old one.
        await kit.MustRefuse(Correction(kit, lab, patient, Mpi, "lab-1-v3", $"{lab.Id}/lab-1"), LedgerError.AlreadySuperseded);
        await kit.MustCommit(Correction(kit, lab, patient, Mpi, "lab-1-v3", $"{lab.Id}/lab-1-v2"));
        Assert.Equal(["lab-1", "lab-1-v2", "lab-1-v3"], kit.Engine.Reader.History(lab.Id, "lab-1").Select(v => v.Record.RecordId));
    }

    [Fact]
    public async Task TwoCorrections_OfSameVersionInOneBlock_CommitOnlyTheFirst()
    {
        await using var kit = new LedgerKit(sequencer: new() { BlockInterval = TimeSpan.FromMilliseconds(200) });
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));

        var first = kit.Engine.SubmitAsync(Correction(kit, lab, patient, Mpi, "lab-1-a", $"{lab.Id}/lab-1")).AsTask();
        var second = kit.Engine.SubmitAsync(Correction(kit, lab, patient, Mpi, "lab-1-b", $"{lab.Id}/lab-1")).AsTask();
        var results = await Task.WhenAll(first, second);

        Assert.True(results[0].IsCommitted, results[0].ToString());
        Assert.Equal(LedgerError.AlreadySuperseded, results[1].Error);
    }

    [Fact]
    public async Task Correction_OfRecordAnchoredEarlierInSameBlock_Commits()
    {
        await using var kit = new LedgerKit(sequencer: new() { BlockInterval = TimeSpan.FromMilliseconds(200) });
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);

        var first = kit.Engine.SubmitAsync(kit.Anchor(lab, patient, Mpi, "lab-1")).AsTask();
        var second = kit.Engine.SubmitAsync(Correction(kit, lab, patient, Mpi, "lab-1-v2", $"{lab.Id}/lab-1")).AsTask();
        var results = await Task.WhenAll(first, second);

        Assert.All(results, r => Assert.True(r.IsCommitted, r.ToString()));
        Assert.Equal("lab-1-v2", kit.Engine.Reader.SupersededBy(lab.Id, "lab-1"));
    }

    [Fact]
    public void Anchor_WithoutSupersedes_KeepsItsCanonicalBytes()
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000));
        var tx = new TransactionFactory(clock).RecordAnchor(Mpi, new string('F', 43), "lab-1", "lab", "2026-11-24", new string('h', 43), "Observation/lab-1");

        var text = Encoding.UTF8.GetString(tx.SigningBytes);
        Assert.DoesNotContain("supersedes", text);
        var members = tx.Body.Select(m => m.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["category", "date", "facility", "hash", "link", "mpi", "nonce", "record", "ts"], members);
    }

    [Theory]
    [InlineData("lab-1")]
    [InlineData("not a reference/lab-1")]
    [InlineData("")]
    public void Supersedes_NotAFacilityRecordReference_IsRefusedInvalidField(string supersedes)
    {
        var tx = new TransactionFactory(TimeProvider.System).RecordAnchor(Mpi, new string('F', 43), "lab-2", "lab", "2026-11-24", new string('h', 43), "Observation/lab-2", supersedes);

        var parsed = PayloadParser.Parse(tx);

        Assert.False(parsed.IsSuccess);
        Assert.Equal(LedgerError.InvalidField, parsed.Error);
    }

    [Fact]
    public void Supersedes_AsReference_IsParsed()
    {
        var reference = new string('F', 43) + "/lab-1";
        var tx = new TransactionFactory(TimeProvider.System).RecordAnchor(Mpi, new string('F', 43), "lab-2", "lab", "2026-11-24", new string('h', 43), "Observation/lab-2", reference);

        var parsed = PayloadParser.Parse(tx);

        Assert.True(parsed.IsSuccess, parsed.Message);
        Assert.Equal(reference, Assert.IsType<RecordAnchorPayload>(parsed.Value).Supersedes);
    }

    /// <summary>
    /// Whatever corrections are attempted (of any record, current or not, in any order and block), every record's
    /// history is one chain: it starts at a version that replaces nothing, each version names the one before it and
    /// is named by the one after, all belong to one facility and patient, every record sits in exactly one chain,
    /// and a replay of the chain rebuilds the same supersessions.
    /// </summary>
    [Fact]
    public async Task History_AfterAnyCorrections_IsAChain()
    {
        var gen = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 30], Gen.Bool, (a, b, c) => (Who: a, Pick: b, Flush: c)).Array[4, 25];
        await gen.SampleAsync(async ops =>
        {
            await using var kit = new LedgerKit(sequencer: new SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(3) });
            var facilities = new[] { await kit.Facility(NodeStatus.Approved), await kit.Facility(NodeStatus.Approved) };
            var patients = new[] { await kit.Patient("MPI-0001"), await kit.Patient("MPI-0002") };
            var anchored = new List<(int Facility, int Patient, string Id)>();
            var pending = new List<Task>();
            var n = 0;
            foreach (var (who, pick, flush) in ops)
            {
                var f = who % 2;
                var p = (who + pick) % 2;
                var id = $"r-{n++}";
                Transaction tx;
                if (anchored.Count == 0 || pick % 3 == 0)
                    tx = kit.Anchor(facilities[f], patients[p], $"MPI-000{p + 1}", id);
                else
                {
                    // Any earlier record, of any facility and patient: most attempts are refused, some commit.
                    var old = anchored[pick % anchored.Count];
                    tx = Correction(kit, facilities[f], patients[p], $"MPI-000{p + 1}", id, $"{facilities[old.Facility].Id}/{old.Id}");
                }
                anchored.Add((f, p, id));
                pending.Add(kit.Engine.SubmitAsync(tx).AsTask());
                if (flush) { await Task.WhenAll(pending); pending.Clear(); }
            }
            await Task.WhenAll(pending);

            var reader = kit.Engine.Reader;
            var seen = new HashSet<(string, string)>();
            foreach (var (f, _, id) in anchored)
            {
                var facility = facilities[f].Id;
                if (reader.Record(facility, id) is null) continue;
                var history = reader.History(facility, id);
                Assert.Contains(history, v => v.Record.RecordId == id);
                Assert.Null(history[0].Supersedes);
                Assert.Null(history[^1].SupersededBy);
                for (var i = 0; i < history.Count; i++)
                {
                    Assert.Equal(facility, history[i].Record.Facility);
                    Assert.Equal(history[0].Record.Mpi, history[i].Record.Mpi);
                    if (i > 0) Assert.Equal(history[i - 1].Record.RecordId, history[i].Supersedes);
                    if (i < history.Count - 1) Assert.Equal(history[i + 1].Record.RecordId, history[i].SupersededBy);
                }
                Assert.Equal(history[^1].Record.RecordId, reader.CurrentVersion(facility, id)!.RecordId);
                // Every record of a chain lists the same chain: no record sits in two.
                if (seen.Add((facility, history[0].Record.RecordId)))
                    foreach (var v in history)
                        Assert.Equal(history.Select(x => x.Record.RecordId), reader.History(facility, v.Record.RecordId).Select(x => x.Record.RecordId));
            }
            await kit.Close();
            var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);
            Assert.True(report.IsValid, report.ToLine());
        }, writeLine: output.WriteLine, iter: 15, threads: 1, print: o => string.Join(' ', o));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
