using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Ehr;

public sealed class EhrStoreAvailabilityTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private string TempStore() => Path.Combine(node.DataFolder, "scratch-" + Guid.NewGuid().ToString("N") + ".db");

    [Fact]
    public async Task Read_OfAMissingStoreFile_IsUnavailable()
    {
        var store = new HospitalStore("fac-gone", TempStore());

        var read = await store.ReadAsync("adm-anything");

        Assert.Equal(EhrReadStatus.Unavailable, read.Status);
        Assert.Contains("missing", read.Problem);
        Assert.Empty(await store.RecordsOfAsync("1234-5678-9012"));
    }

    [Fact]
    public async Task Read_OfACorruptStoreFile_IsUnavailable()
    {
        var path = TempStore();
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);

        var read = await new HospitalStore("fac-corrupt", path).ReadAsync("adm-anything");

        Assert.Equal(EhrReadStatus.Unavailable, read.Status);
        Assert.Contains("cannot be read", read.Problem);
    }

    [Fact]
    public async Task Read_OfAStoreWithoutItsTables_IsUnavailable()
    {
        var path = TempStore();
        await using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "CREATE TABLE store_info(facility_id TEXT PRIMARY KEY, kind TEXT NOT NULL, created TEXT NOT NULL)";
            await command.ExecuteNonQueryAsync();
        }

        var read = await new HospitalStore("fac-placeholder", path).ReadAsync("dx-anything");

        Assert.Equal(EhrReadStatus.Unavailable, read.Status);
    }

    [Fact]
    public async Task Read_OfADeletedRow_IsNotFound()
    {
        var saved = await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, EhrTestNode.NewMpi(), EhrSamples.Admission(), "staff");
        var diagnosis = saved.Value!.Records.First(r => r.Kind == RecordKinds.Diagnosis);

        node.Execute(EhrTestNode.Hospital, "DELETE FROM diagnoses WHERE Id = $id", ("$id", diagnosis.RecordId));

        Assert.Equal(EhrReadStatus.NotFound, (await node.Stores.Find(EhrTestNode.Hospital)!.ReadAsync(diagnosis.RecordId)).Status);
    }

    [Fact]
    public async Task Fetch_FromAFacilityNotHostedHere_IsUnavailable()
    {
        var read = await new LocalRecordFetcher(node.Stores).FetchAsync("fac-elsewhere", "adm-x");

        Assert.Equal(EhrReadStatus.Unavailable, read.Status);
    }

    [Fact]
    public void Find_KnowsEachDemoFacilitysFormat()
    {
        Assert.Equal(FacilityKind.Hospital, node.Stores.Find(EhrTestNode.Hospital)!.Kind);
        Assert.Equal(FacilityKind.Clinic, node.Stores.Find(EhrTestNode.Clinic)!.Kind);
        Assert.Equal(FacilityKind.Laboratory, node.Stores.Find(EhrTestNode.Laboratory)!.Kind);
        Assert.Null(node.Stores.Find("fac-unknown"));
    }

    [Fact]
    public async Task Provision_OverAPlaceholderStore_MigratesItAndKeepsItsStoreInfo()
    {
        var facility = new HealthFacility { Id = "fac-" + Guid.NewGuid().ToString("N")[..12], Name = "Old Clinic", Kind = FacilityKind.Clinic };
        var path = node.PathOf(facility.Id);
        await using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = $"CREATE TABLE store_info(facility_id TEXT PRIMARY KEY, kind TEXT NOT NULL, created TEXT NOT NULL); INSERT INTO store_info VALUES ('{facility.Id}', 'clinic', '2026-01-01');";
            await command.ExecuteNonQueryAsync();
        }

        node.Provisioner.Provision(facility);
        node.Provisioner.Provision(facility);

        Assert.Equal(0, node.Execute(facility.Id, "SELECT COUNT(*) FROM visits"));
        Assert.Equal(1, node.Execute(facility.Id, "SELECT COUNT(*) FROM store_info"));
        var read = await node.Stores.Open(facility.Id, FacilityKind.Clinic).ReadAsync("visit-none");
        Assert.Equal(EhrReadStatus.NotFound, read.Status);
    }

    [Fact]
    public async Task Find_OfARegisteredFacilityWithAPlaceholderStore_BringsItsSchemaUpBeforeAnyWrite()
    {
        // A facility approved by an early version has only store_info; reading it must not wait for the first write.
        var facility = new HealthFacility { Id = "fac-" + Guid.NewGuid().ToString("N")[..12], Name = "Old Laboratory", Kind = FacilityKind.Laboratory };
        await using (var portal = await node.Services.GetRequiredService<IDbContextFactory<HealthPortal.Data.ApplicationDbContext>>().CreateDbContextAsync())
        {
            portal.Facilities.Add(facility);
            await portal.SaveChangesAsync();
        }
        await using (var db = new SqliteConnection($"Data Source={node.PathOf(facility.Id)};Pooling=False"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "CREATE TABLE store_info(facility_id TEXT PRIMARY KEY, kind TEXT NOT NULL, created TEXT NOT NULL)";
            await command.ExecuteNonQueryAsync();
        }

        var read = await node.Stores.Find(facility.Id)!.ReadAsync("lab-none");

        Assert.Equal(EhrReadStatus.NotFound, read.Status);
    }
}
