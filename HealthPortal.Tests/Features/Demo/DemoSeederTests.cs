using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Facilities;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Demo;

[Collection(PortalCollection.Name)]
public sealed class DemoSeederTests(PortalFactory portal)
{
    private Task<(int Users, int Facilities, int Profiles)> CountAsync() =>
        portal.QueryAsync(async db => (await db.Users.CountAsync(u => u.Email!.EndsWith("@" + DemoData.Domain)), await db.Facilities.CountAsync(f => f.Id.StartsWith("demo-")), await db.PatientProfiles.CountAsync()));

    [Fact]
    public async Task DemoSeeder_SeedsTheWholeConsortium()
    {
        var facilities = await portal.QueryAsync(db => db.Facilities.Where(f => f.Id.StartsWith("demo-")).ToListAsync());

        Assert.Equal([FacilityKind.Hospital, FacilityKind.Clinic, FacilityKind.Laboratory], facilities.Select(f => f.Kind).Order());
        Assert.All(facilities, f => Assert.Equal(FacilityStatus.Approved, f.Status));
        foreach (var facility in facilities)
        {
            Assert.Contains(DemoData.Accounts, a => a.FacilityId == facility.Id && a.Role == Roles.FacilityManager);
            Assert.Contains(DemoData.Accounts, a => a.FacilityId == facility.Id && a.Role == Roles.FacilityStaff);
        }
        Assert.Equal(DemoData.Accounts.Count, (await CountAsync()).Users);
    }

    [Fact]
    public async Task DemoLedgerSeeder_PutsEveryDemoFacilityOnTheLedgerApprovedWithItsEhrStore()
    {
        var facilities = await portal.QueryAsync(db => db.Facilities.Where(f => f.Id.StartsWith("demo-")).ToListAsync());
        var (ledger, ehr) = await portal.WithScopeAsync(services => Task.FromResult((
            services.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>(),
            services.GetRequiredService<HealthPortal.Features.Ehr.EhrStoreProvisioner>())));

        Assert.All(facilities, f =>
        {
            Assert.Equal(HealthPortal.Ledger.State.NodeStatus.Approved, ledger.Engine.State.Node(f.NodeKeyId!)?.Status);
            Assert.True(ehr.Exists(f.Id), $"{f.Name} has no EHR store");
        });
    }

    [Fact]
    public async Task DemoSeeder_RunAgain_ChangesNothing()
    {
        var before = await CountAsync();

        await portal.WithScopeAsync(async services =>
        {
            await services.GetRequiredService<DemoSeeder>().SeedAsync();
            return 0;
        });

        Assert.Equal(before, await CountAsync());
    }

    private async Task<List<(string Mpi, HealthFacility Facility, IReadOnlyList<HealthPortal.Features.Records.EhrRecord> Records)>> DemoRecordsAsync()
    {
        // The two patients with records in every store; the family (DemoFamilySeederTests) has its own.
        var emails = DemoData.Patients.Select(p => p.Email).ToList();
        var mpis = await portal.QueryAsync(db => db.PatientProfiles
            .Where(p => p.MpiNumber != null && db.Users.Any(u => u.Id == p.UserId && emails.Contains(u.Email!)))
            .Select(p => p.MpiNumber!).ToListAsync());
        var facilities = await portal.QueryAsync(db => db.Facilities.Where(f => f.Id.StartsWith("demo-")).ToListAsync());
        var stores = await portal.WithScopeAsync(services => Task.FromResult(services.GetRequiredService<HealthPortal.Features.Ehr.EhrStores>()));
        var all = new List<(string, HealthFacility, IReadOnlyList<HealthPortal.Features.Records.EhrRecord>)>();
        foreach (var mpi in mpis)
            foreach (var facility in facilities)
                all.Add((mpi, facility, await stores.Find(facility.Id)!.RecordsOfAsync(mpi)));
        return all;
    }

    [Fact]
    public async Task DemoRecordSeeder_GivesEachDemoPatientRecordsInEachDemoStore_AnchoredWithTheirHash()
    {
        var ledger = await portal.WithScopeAsync(services => Task.FromResult(services.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>()));

        var all = await DemoRecordsAsync();

        Assert.Equal(DemoData.Patients.Count * DemoData.Facilities.Count, all.Count);
        foreach (var (mpi, facility, records) in all)
        {
            Assert.True(records.Count > 0, $"{facility.Name} holds no record of {mpi}");
            foreach (var record in records)
            {
                var anchor = ledger.Engine.Store.FindRecord(facility.NodeKeyId!, record.RecordId);
                Assert.NotNull(anchor);
                Assert.Equal((mpi, record.Kind, record.Hash, record.Fhir.TypeName + "/" + record.RecordId), (anchor.Mpi, anchor.Category, anchor.Hash, anchor.Link));
            }
        }
    }

    [Fact]
    public async Task DemoRecordSeeder_DatesTheHospitalNoteOnItsAdmission_NotOnTheSeedingDay()
    {
        var all = await DemoRecordsAsync();

        var hospitalRecords = all.Where(r => r.Facility.Kind == HealthPortal.Features.Facilities.FacilityKind.Hospital).ToList();
        Assert.Equal(DemoData.Patients.Count, hospitalRecords.Count);
        foreach (var (mpi, _, records) in hospitalRecords)
        {
            var encounter = Assert.Single(records, r => r.Kind == HealthPortal.Features.Records.RecordKinds.Encounter);
            var note = Assert.Single(records, r => r.Kind == HealthPortal.Features.Records.RecordKinds.Note);
            Assert.True(encounter.Date == note.Date, $"the note of {mpi} is dated {note.Date}, its admission {encounter.Date}");
        }
    }

    [Fact]
    public async Task DemoRecordSeeder_RunAgain_WritesAndAnchorsNothingNew()
    {
        var ledger = await portal.WithScopeAsync(services => Task.FromResult(services.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>()));
        var before = (await DemoRecordsAsync()).Sum(x => x.Records.Count);
        var anchors = ledger.Engine.TransactionCount;

        await portal.WithScopeAsync(async services =>
        {
            await services.GetRequiredService<DemoRecordSeeder>().SeedAsync();
            return 0;
        });

        Assert.Equal(before, (await DemoRecordsAsync()).Sum(x => x.Records.Count));
        Assert.Equal(anchors, ledger.Engine.TransactionCount);
    }

    [Fact]
    public async Task LoginPage_InDemoMode_ListsEveryDemoAccountAndThePassword()
    {
        var page = System.Net.WebUtility.HtmlDecode(await portal.CreateBrowser().GetStringAsync("/Account/Login"));

        Assert.Contains(PortalFactory.DemoPassword, page);
        Assert.All(DemoData.Accounts, account => Assert.Contains(account.Email, page));
        Assert.All(DemoData.Facilities, facility => Assert.Contains(facility.Name, page));
    }
}
