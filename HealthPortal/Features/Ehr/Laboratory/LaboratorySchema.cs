using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Laboratory;

/// <summary>A laboratory patient: the lab's own MRN ("L00000042") linked to the MPI number.</summary>
public sealed class LabPatient
{
    public string Mrn { get; set; } = "";
    public string Mpi { get; set; } = "";
    public List<LabOrder> Orders { get; set; } = [];
}

/// <summary>
/// An order of one or more tests on one specimen. It becomes a record (a DiagnosticReport) when its results are
/// reported; until then it is work in progress and not served. Times are UTC.
/// </summary>
public sealed class LabOrder
{
    public string Id { get; set; } = "";
    public string PatientMrn { get; set; } = "";
    public LabPatient Patient { get; set; } = null!;
    public string OrderingClinician { get; set; } = "";
    public string SpecimenType { get; set; } = "";
    public DateTime CollectedAt { get; set; }
    public DateTime? ReportedAt { get; set; }
    public string EnteredBy { get; set; } = "";
    public string? ReportedBy { get; set; }
    public List<LabResult> Results { get; set; } = [];
}

/// <summary>One test of an order: unit and reference interval copied from the catalogue when ordered, so a later
/// catalogue change never alters a reported result; value and flag filled when reported.</summary>
public sealed class LabResult
{
    public string Id { get; set; } = "";
    public string OrderId { get; set; } = "";
    public LabOrder Order { get; set; } = null!;
    public int Position { get; set; }
    public string Loinc { get; set; } = "";
    public string Name { get; set; } = "";
    public string Unit { get; set; } = "";
    public decimal? ReferenceLow { get; set; }
    public decimal? ReferenceHigh { get; set; }
    public decimal? Value { get; set; }
    public string? Flag { get; set; }
}

/// <summary>The laboratory format's schema (migrations in <c>Features/Ehr/Laboratory/Migrations</c>).</summary>
public sealed class LaboratoryStoreContext(DbContextOptions<LaboratoryStoreContext> options) : DbContext(options)
{
    /// <summary>
    /// The laboratory patients of these MPI numbers, each one the store lacks added (tracked, saved with the caller's
    /// changes) under the next MRN ($"L{n:D8}"). Call it inside the write transaction, so two writers cannot take the same MRN.
    /// </summary>
    public async Task<Dictionary<string, LabPatient>> PatientsForWriteAsync(IReadOnlyCollection<string> mpis, CancellationToken ct = default)
    {
        var wanted = mpis.Distinct().ToList();
        var patients = await Patients.Where(p => wanted.Contains(p.Mpi)).ToDictionaryAsync(p => p.Mpi, ct);
        if (patients.Count == wanted.Count) return patients;
        var count = await Patients.CountAsync(ct);
        foreach (var mpi in wanted.Where(m => !patients.ContainsKey(m)))
        {
            var patient = new LabPatient { Mrn = $"L{++count:D8}", Mpi = mpi };
            patients[mpi] = patient;
            Patients.Add(patient);
        }
        return patients;
    }

    /// <summary>The laboratory patient of one MPI number, added under the next MRN when the store has none (see <see cref="PatientsForWriteAsync"/>).</summary>
    public async Task<LabPatient> PatientForWriteAsync(string mpi, CancellationToken ct = default) => (await PatientsForWriteAsync([mpi], ct))[mpi];

    public DbSet<LabPatient> Patients => Set<LabPatient>();
    public DbSet<LabOrder> Orders => Set<LabOrder>();
    public DbSet<LabResult> Results => Set<LabResult>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.Entity<LabPatient>(p =>
        {
            p.ToTable("patients");
            p.HasKey(x => x.Mrn);
            p.Property(x => x.Mrn).HasMaxLength(16);
            p.Property(x => x.Mpi).HasMaxLength(20);
            p.HasIndex(x => x.Mpi).IsUnique();
        });
        builder.Entity<LabOrder>(o =>
        {
            o.ToTable("orders");
            o.Property(x => x.Id).HasMaxLength(64);
            o.HasOne(x => x.Patient).WithMany(p => p.Orders).HasForeignKey(x => x.PatientMrn).OnDelete(DeleteBehavior.Restrict);
            o.Property(x => x.OrderingClinician).HasMaxLength(200);
            o.Property(x => x.SpecimenType).HasMaxLength(40);
            o.Property(x => x.EnteredBy).HasMaxLength(200);
            o.Property(x => x.ReportedBy).HasMaxLength(200);
        });
        builder.Entity<LabResult>(r =>
        {
            r.ToTable("results", t => t.HasCheckConstraint("CK_results_flag", "Flag IS NULL OR Flag IN ('L','N','H')"));
            r.Property(x => x.Id).HasMaxLength(64);
            r.HasOne(x => x.Order).WithMany(o => o.Results).HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
            r.HasIndex(x => new { x.OrderId, x.Loinc }).IsUnique();
            r.Property(x => x.Loinc).HasMaxLength(10);
            r.Property(x => x.Name).HasMaxLength(200);
            r.Property(x => x.Unit).HasMaxLength(20);
            r.Property(x => x.Flag).HasMaxLength(1);
        });
    }
}
