using System.Collections.Concurrent;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>
/// The facilities' stores as the timeline sees them, played by a dictionary: each record served as it is, changed,
/// removed, or its facility unreachable. Tests that share one set each use records of their own.
/// </summary>
public sealed class FakeRecordFetcher : IRecordFetcher
{
    private readonly ConcurrentDictionary<(string Facility, string Record), EhrRecord> _records = new();
    private readonly ConcurrentDictionary<string, bool> _unreachable = new();

    public void Serve(EhrRecord record) => _records[(record.FacilityId, record.RecordId)] = record;

    /// <summary>The facility now serves different content under the same record id.</summary>
    public void Change(EhrRecord record, Resource changed) => Serve(record with { Fhir = changed });

    public void Remove(EhrRecord record) => _records.TryRemove((record.FacilityId, record.RecordId), out _);

    public void Unreachable(string facilityId) => _unreachable[facilityId] = true;

    public Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default)
    {
        if (_unreachable.ContainsKey(facilityId)) return Task.FromResult(EhrRead.Unavailable("connection refused"));
        return Task.FromResult(_records.TryGetValue((facilityId, recordId), out var record)
            ? EhrRead.Found(record)
            : EhrRead.NotFound("no such record"));
    }
}

/// <summary>
/// A <see cref="FakeRecordFetcher"/> whose batches wait while they ask for a held record, until <see cref="Release"/>
/// (bounded: a held fetch fails after 20 s, so a test that never releases cannot hang). It counts the records fetched,
/// so a test can see what was asked for and when.
/// </summary>
public sealed class HeldRecordFetcher(FakeRecordFetcher inner) : IRecordFetcher
{
    private readonly ConcurrentDictionary<string, bool> _held = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _fetched;

    public int Fetched => Volatile.Read(ref _fetched);

    public void Hold(IEnumerable<string> recordIds)
    {
        foreach (var id in recordIds) _held[id] = true;
    }

    public void Release() => _released.TrySetResult();

    public async Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default) =>
        (await FetchManyAsync(facilityId, [recordId], ct))[0];

    public async Task<IReadOnlyList<EhrRead>> FetchManyAsync(string facilityId, IReadOnlyList<string> recordIds, CancellationToken ct = default)
    {
        if (recordIds.Any(_held.ContainsKey)) await _released.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
        Interlocked.Add(ref _fetched, recordIds.Count);
        var reads = new EhrRead[recordIds.Count];
        for (var i = 0; i < reads.Length; i++) reads[i] = await inner.FetchAsync(facilityId, recordIds[i], ct);
        return reads;
    }
}

/// <summary>Puts records on a real ledger as the anchoring workflow does: a record.anchor signed by the facility and the patient.</summary>
public static class Anchoring
{
    /// <summary>A record of <paramref name="facilityNode"/> (ledger node id) with a fresh id, ready to anchor and serve.</summary>
    public static EhrRecord Record(string facilityNode, string mpi, string kind, DateOnly date, Resource fhir, string? summary = null) =>
        new(facilityNode, $"{kind}-{Guid.NewGuid():N}", mpi, kind, date, summary ?? $"{RecordKinds.SingularLabel(kind)} of {date:yyyy-MM-dd}", fhir);

    /// <summary>Anchors <paramref name="record"/>, the patient's signature made by <paramref name="signAsPatient"/>; returns the transaction id.</summary>
    public static async Task<string> AnchorAsync(LedgerHost ledger, string facilityId, EhrRecord record, Func<Transaction, Transaction> signAsPatient)
    {
        var facilityKey = ledger.Keys.Get(ServerKeyVault.FacilityNode(facilityId));
        var tx = new TransactionFactory().RecordAnchor(record.Mpi, facilityKey.Id, record.RecordId, record.Kind, record.DateText, record.Hash,
            RecordLink.Of(record));
        var result = await ledger.Engine.SubmitAsync(signAsPatient(tx.SignWith(facilityKey)));
        Assert.True(result.IsCommitted, $"record.anchor refused: {result}");
        return tx.IdText;
    }

    /// <summary>The patient's signature by a test browser key (what patient-keys.js signs).</summary>
    public static Func<Transaction, Transaction> By(TestBrowserKey key) =>
        tx => tx.WithSignature(key.Kid, Base64Url.Decode(key.Sign(tx.Type, tx.Body)));
}

/// <summary>The real app with the facility stores replaced by a <see cref="FakeRecordFetcher"/>.</summary>
public sealed class TimelinePortalFactory : PortalFactory
{
    public FakeRecordFetcher Fetcher { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IRecordFetcher>(Fetcher));
    }

    public LedgerHost Ledger => Services.GetRequiredService<LedgerHost>();

    /// <summary>The ledger node id of a demo facility (its server-held key).</summary>
    public string NodeOf(string facilityId) => Ledger.Keys.Get(ServerKeyVault.FacilityNode(facilityId)).Id;

    /// <summary>Makes a record of <paramref name="facilityId"/> for <paramref name="patient"/>, anchors it and serves it unchanged.</summary>
    public async Task<(EhrRecord Record, string TxId)> AnchoredAsync(TestPatient patient, string facilityId, string kind, DateOnly date, Resource fhir)
    {
        var record = Anchoring.Record(NodeOf(facilityId), patient.Mpi!, kind, date, fhir);
        var txId = await Anchoring.AnchorAsync(Ledger, facilityId, record, Anchoring.By(patient.Key!));
        Fetcher.Serve(record);
        return (record, txId);
    }
}

[CollectionDefinition(Name)]
public sealed class TimelineCollection : ICollectionFixture<TimelinePortalFactory>
{
    public const string Name = "Portal with fake facility stores";
}
