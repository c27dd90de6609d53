using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace HealthPortal.Bench;

/// <summary>
/// The bench facilities' own EHR stores, on disk beside the ledger, written through the portal's write services
/// (<see cref="HospitalRecords"/>, <see cref="LaboratoryRecords"/>) exactly as its forms call them. Those services
/// only need <see cref="EhrStores"/>, which finds a facility's format in the portal registry and its file through
/// the provisioner; so the bench gives them a real (SQLite) registry with the bench facilities in it rather than the
/// whole portal host. The registry is read once per facility (<see cref="EhrStores"/> caches it).
/// </summary>
internal sealed class BenchStores
{
    private BenchStores(HospitalRecords hospital, LaboratoryRecords laboratory, IReadOnlyList<StoreFacility> hospitals, IReadOnlyList<StoreFacility> laboratories)
    {
        Hospital = hospital;
        Laboratory = laboratory;
        Hospitals = hospitals;
        Laboratories = laboratories;
    }

    public HospitalRecords Hospital { get; }
    public LaboratoryRecords Laboratory { get; }
    public IReadOnlyList<StoreFacility> Hospitals { get; }
    public IReadOnlyList<StoreFacility> Laboratories { get; }

    /// <summary>
    /// Registers the world's facilities in a portal registry under <paramref name="folder"/>, provisions one store
    /// file each (the provisioner's own schema migration) and registers <paramref name="patients"/> ledger patients
    /// with checked MPI numbers, which the write services require.
    /// </summary>
    public static async Task<BenchStores> CreateAsync(string folder, BenchPopulation world, int patients, int submitters, TextWriter log)
    {
        var registry = new DbContextOptionsBuilder<ApplicationDbContext>()
            .UseSqlite($"Data Source={Path.Combine(folder, "portal.db")};Pooling=False").Options;
        var portal = new PooledDbContextFactory<ApplicationDbContext>(registry);
        var provisioner = new EhrStoreProvisioner(Options.Create(new PortalDataOptions { DataFolder = folder }), TimeProvider.System);
        var hospitals = new List<StoreFacility>();
        var laboratories = new List<StoreFacility>();
        await using (var db = await portal.CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
            void Add(LedgerKeyPair key, FacilityKind kind, int n, List<StoreFacility> into)
            {
                var id = $"bench-{kind.ToString().ToLowerInvariant()}-{n}";
                var facility = new HealthFacility
                {
                    Id = id, Name = $"Bench {kind} {n}", Kind = kind, Status = FacilityStatus.Approved, NodeKeyId = key.Id,
                    Endpoint = $"https://{id}.bench.example/fhir", Contact = "bench@example.org",
                };
                db.Facilities.Add(facility);
                provisioner.Provision(facility);
                into.Add(new StoreFacility(facility, key));
            }
            for (var i = 0; i < world.Hospitals.Count; i++) Add(world.Hospitals[i], FacilityKind.Hospital, i + 1, hospitals);
            for (var i = 0; i < world.Laboratories.Count; i++) Add(world.Laboratories[i], FacilityKind.Laboratory, i + 1, laboratories);
            await db.SaveChangesAsync();
        }
        var stores = new EhrStores(portal, provisioner);
        await world.RegisterPatientsAsync(patients, submitters, MpiOf, world.StorePatients, log);
        return new BenchStores(new HospitalRecords(stores, TimeProvider.System), new LaboratoryRecords(stores, TimeProvider.System), hospitals, laboratories);
    }

    /// <summary>A deterministic MPI number in the portal's display form: 11 digits from <paramref name="i"/> and Damm's check digit.</summary>
    public static string MpiOf(int i)
    {
        var digits = (90_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var full = digits + (char)('0' + MpiNumber.CheckDigit(digits));
        return MpiNumber.TryParse(full, out var mpi, out var error) ? mpi : throw new InvalidOperationException(error);
    }

    /// <summary>An outpatient visit with no diagnoses, prescriptions or note: one save gives exactly one record (the Encounter).</summary>
    public static AdmissionInput Admission(long n) => new()
    {
        Type = AdmissionTypes.Outpatient,
        Ward = "",
        AttendingClinician = $"Dr Bench {n % 50}",
        StartedAt = new DateTime(2025, 1, 1, 8, 0, 0, DateTimeKind.Utc).AddMinutes(n % 500_000),
        EndedAt = new DateTime(2025, 1, 1, 9, 0, 0, DateTimeKind.Utc).AddMinutes(n % 500_000),
    };

    /// <summary>A basic metabolic panel of three tests; its report is one record (a DiagnosticReport).</summary>
    public static LabOrderInput LabOrder(long n) => new()
    {
        OrderingClinician = $"Dr Bench {n % 50}",
        SpecimenType = "serum",
        CollectedAt = new DateTime(2025, 1, 1, 7, 0, 0, DateTimeKind.Utc).AddMinutes(n % 500_000),
        Tests = ["2345-7", "2823-3", "2951-2"],
    };

    public static Dictionary<string, LabValueInput> LabValues(long n) => new(StringComparer.Ordinal)
    {
        ["2345-7"] = new() { Value = (80 + n % 60).ToString(System.Globalization.CultureInfo.InvariantCulture), Unit = "mg/dL" },
        ["2823-3"] = new() { Value = "4.2", Unit = "mmol/L" },
        ["2951-2"] = new() { Value = (136 + n % 8).ToString(System.Globalization.CultureInfo.InvariantCulture), Unit = "mmol/L" },
    };
}

/// <summary>A bench facility as the portal registers it, with the ledger key its node signs anchors with.</summary>
internal sealed record StoreFacility(HealthFacility Facility, LedgerKeyPair Key)
{
    public string Link(EhrRecord record) => RecordLink.Of(record);
}
