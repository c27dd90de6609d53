using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Demo;

/// <summary>
/// Puts the demo consortium on the ledger: Riverside is the genesis sealing node; Lakeview and Northgate apply
/// with proof of work and the consortium admin approves them; the demo patients are registered with MPI numbers.
/// Demo patients' first keys are server-held "enrolment device" keys (demo only, labelled as such), so their
/// browsers can be linked to them without a second device. Every step checks the ledger first: re-running is a no-op.
/// </summary>
public sealed class DemoLedgerSeeder(IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, EhrStoreProvisioner ehrStores, TimeProvider clock, ILogger<DemoLedgerSeeder> logger,
    Microsoft.Extensions.Options.IOptions<DemoOptions>? demoOptions = null)
{

    private readonly TransactionFactory _tx = new(clock);
    private readonly DemoOptions _demo = demoOptions?.Value ?? new DemoOptions();

    public async Task SeedAsync(CancellationToken ct = default)
    {
        if (_demo.Facility is { Length: > 0 } own)
        {
            await SeedConsortiumNodeAsync(own, ct);
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var engine = ledger.Engine;
        var admin = ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin);
        var seeded = 0;

        foreach (var demo in DemoData.Facilities)
        {
            var facility = await db.Facilities.SingleAsync(f => f.Id == demo.Id, ct);
            var keyName = ServerKeyVault.FacilityNode(facility.Id);
            var isGenesis = engine.Genesis.Sealer.Name == facility.Name;
            if (isGenesis && !ledger.Keys.Exists(keyName)) ledger.Keys.Save(keyName, ledger.Keys.Get(ServerKeyVault.GenesisNode));
            var key = ledger.Keys.GetOrCreate(keyName);
            facility.NodeKeyId = key.Id;
            var node = engine.Reader.Node(key.Id);
            if (node is null)
            {
                var register = _tx.NodeRegister(key.PublicJwk, NodeRegistrations.LedgerKind(facility.Kind), facility.Name, facility.Endpoint,
                    engine.Genesis.Parameters.FacilityPowBits, ct).SignWith(key);
                Check(await engine.SubmitAsync(register, ct), facility.Name);
                node = engine.Reader.Node(key.Id);
                seeded++;
            }
            if (node!.Status == NodeStatus.Pending)
            {
                Check(await engine.SubmitAsync(_tx.NodeApprove(key.Id).SignWith(admin), ct), facility.Name);
                seeded++;
            }
            facility.Status = FacilityStatus.Approved;
            // Approved facilities get their EHR store, as an admin's approval provisions one. Always provision:
            // it is idempotent and brings a store made by an earlier version (placeholder or older schema) up to date.
            ehrStores.Provision(facility);
        }
        await db.SaveChangesAsync(ct);

        // Aye's second registration too: a second MPI number of one person, for the stewards to merge (docs/mpi.md).
        foreach (var demo in DemoData.PatientsOf(_demo).Concat(DemoData.RegisteredTwiceOf(_demo)))
        {
            var user = await db.Users.SingleAsync(u => u.Email == demo.Email, ct);
            var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == user.Id, ct);
            if (profile.MpiNumber is not null && engine.Reader.Patient(profile.MpiNumber) is not null) continue;
            var key = ledger.Keys.GetOrCreate(DemoData.DemoPatientKeyName(user.Id));
            profile.DemographicsSalt ??= DemographicsHash.NewSalt();
            var mpi = profile.MpiNumber ?? MpiNumber.NewNumber();
            var hash = DemographicsHash.Of(profile);
            Check(await engine.SubmitAsync(_tx.PatientRegister(key.PublicJwk, mpi, hash, engine.Genesis.Parameters.PatientPowBits, ct).SignWith(key), ct), demo.Email);
            profile.MpiNumber = mpi;
            await db.SaveChangesAsync(ct);
            seeded++;
        }
        if (seeded > 0) logger.LogInformation("Demo consortium registered on the ledger ({Count} transactions)", seeded);
    }

    /// <summary>
    /// A consortium node (<c>consortium up</c>): the facilities are founders, approved in the shared genesis, so
    /// nothing about them is submitted. This node binds its own facility to its node key (the vault's genesis-node key,
    /// which the genesis file lists), provisions its EHR store, learns the other demo members from the replicated
    /// ledger (by name), and registers only the patients who signed up here. Every other node does the same for its
    /// own facts, so each fact reaches the ledger once; each step checks the ledger first, so a restart adds nothing.
    /// </summary>
    private async Task SeedConsortiumNodeAsync(string own, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var engine = ledger.Engine;
        var seeded = 0;
        var nodeKey = ledger.Keys.Get(ServerKeyVault.GenesisNode);
        if (!ledger.Keys.Exists(ServerKeyVault.FacilityNode(own))) ledger.Keys.Save(ServerKeyVault.FacilityNode(own), nodeKey);

        foreach (var demo in DemoData.ConsortiumFacilities)
        {
            var onLedger = demo.Id == own ? engine.Reader.Node(nodeKey.Id) : engine.Reader.Nodes().FirstOrDefault(n => n.Name == demo.Name);
            if (onLedger is null) continue; // not a member of this consortium (fewer nodes than demo facilities)
            var facility = await db.Facilities.SingleOrDefaultAsync(f => f.Id == demo.Id, ct);
            if (facility is null)
            {
                facility = new HealthFacility { Id = demo.Id, Name = demo.Name, Kind = demo.Kind, Contact = demo.Contact };
                db.Facilities.Add(facility);
            }
            facility.NodeKeyId = onLedger.Id;
            facility.Endpoint = onLedger.Endpoint;
            facility.Status = onLedger.Status == NodeStatus.Approved ? FacilityStatus.Approved : FacilityStatus.Pending;
            // Only this node's own facility keeps records here; the others' stores are on their own nodes.
            if (demo.Id == own && facility.Status == FacilityStatus.Approved) ehrStores.Provision(facility);
        }
        await db.SaveChangesAsync(ct);
        if (!await db.Facilities.AnyAsync(f => f.Id == own && f.NodeKeyId == nodeKey.Id, ct))
            throw new InvalidOperationException($"demo seeding: this node's key {nodeKey.Id} is not a facility node in the genesis file; provision the consortium again (consortium up)");

        seeded += await RegisterPatientsAsync(db, DemoData.PatientsOf(_demo), ct);
        if (seeded > 0) logger.LogInformation("Demo patients of {Facility} registered on the replicated ledger ({Count} transactions)", own, seeded);
    }

    private async Task<int> RegisterPatientsAsync(ApplicationDbContext db, IEnumerable<DemoData.Patient> patients, CancellationToken ct)
    {
        var engine = ledger.Engine;
        var seeded = 0;
        foreach (var demo in patients)
        {
            var user = await db.Users.SingleAsync(u => u.Email == demo.Email, ct);
            var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == user.Id, ct);
            if (profile.MpiNumber is not null && engine.Reader.Patient(profile.MpiNumber) is not null) continue;
            var key = ledger.Keys.GetOrCreate(DemoData.DemoPatientKeyName(user.Id));
            profile.DemographicsSalt ??= DemographicsHash.NewSalt();
            var mpi = profile.MpiNumber ?? MpiNumber.NewNumber();
            // Kept before submitting: a submission that timed out may still commit, and the retry must then find it.
            profile.MpiNumber = mpi;
            await db.SaveChangesAsync(ct);
            var hash = DemographicsHash.Of(profile);
            Check(await engine.SubmitAsync(_tx.PatientRegister(key.PublicJwk, mpi, hash, engine.Genesis.Parameters.PatientPowBits, ct).SignWith(key), ct), demo.Email);
            seeded++;
        }
        return seeded;
    }

    private static void Check(HealthPortal.Ledger.Ordering.SubmitResult result, string what)
    {
        if (!result.IsCommitted) throw new InvalidOperationException($"demo seeding: the ledger refused {what}: {result}");
    }
}
