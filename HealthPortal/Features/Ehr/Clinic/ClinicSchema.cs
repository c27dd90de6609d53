using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Clinic;

/// <summary>A clinic patient: the clinic's own MRN ("CL-000042") linked to the MPI number.</summary>
public sealed class ClinicPatient
{
    public string Mrn { get; set; } = "";
    public string Mpi { get; set; } = "";
    public List<Visit> Visits { get; set; } = [];
}

/// <summary>One consultation. Times are UTC.</summary>
public sealed class Visit
{
    public string Id { get; set; } = "";
    public string PatientMrn { get; set; } = "";
    public ClinicPatient Patient { get; set; } = null!;
    public DateTime SeenAt { get; set; }
    public string Clinician { get; set; } = "";
    public string ChiefComplaint { get; set; } = "";
    public string Findings { get; set; } = "";
    public string Treatment { get; set; } = "";
    public DateOnly? FollowUpOn { get; set; }
    /// <summary>Id of the visit's note record (findings, treatment, follow-up): fixed at save, so it never changes.</summary>
    public string NoteId { get; set; } = "";
    public string EnteredBy { get; set; } = "";
    public Vitals? Vitals { get; set; }
    public List<ClinicAllergy> Allergies { get; set; } = [];
}

/// <summary>An allergy or intolerance recorded at the visit (see <see cref="Ehr.Allergies"/>); its own record, id alg-.</summary>
public sealed class ClinicAllergy
{
    public string Id { get; set; } = "";
    public string VisitId { get; set; } = "";
    public Visit Visit { get; set; } = null!;
    public int Position { get; set; }
    public string Substance { get; set; } = "";
    public string Category { get; set; } = AllergyCategories.Medication;
    public string Reaction { get; set; } = "";
    public string Severity { get; set; } = "";
}

/// <summary>The vital signs taken at a visit; each measurement is optional.</summary>
public sealed class Vitals
{
    public string VisitId { get; set; } = "";
    public Visit Visit { get; set; } = null!;
    public int? Systolic { get; set; }
    public int? Diastolic { get; set; }
    public int? Pulse { get; set; }
    public decimal? TemperatureC { get; set; }
    public decimal? WeightKg { get; set; }
}

/// <summary>The clinic format's schema (migrations in <c>Features/Ehr/Clinic/Migrations</c>).</summary>
public sealed class ClinicStoreContext(DbContextOptions<ClinicStoreContext> options) : DbContext(options)
{
    /// <summary>
    /// The clinic patients of these MPI numbers, each one the store lacks added (tracked, saved with the caller's
    /// changes) under the next MRN ($"CL-{n:D6}"). Call it inside the write transaction, so two writers cannot take the same MRN.
    /// </summary>
    public async Task<Dictionary<string, ClinicPatient>> PatientsForWriteAsync(IReadOnlyCollection<string> mpis, CancellationToken ct = default)
    {
        var wanted = mpis.Distinct().ToList();
        var patients = await Patients.Where(p => wanted.Contains(p.Mpi)).ToDictionaryAsync(p => p.Mpi, ct);
        if (patients.Count == wanted.Count) return patients;
        var count = await Patients.CountAsync(ct);
        foreach (var mpi in wanted.Where(m => !patients.ContainsKey(m)))
        {
            var patient = new ClinicPatient { Mrn = $"CL-{++count:D6}", Mpi = mpi };
            patients[mpi] = patient;
            Patients.Add(patient);
        }
        return patients;
    }

    /// <summary>The clinic patient of one MPI number, added under the next MRN when the store has none (see <see cref="PatientsForWriteAsync"/>).</summary>
    public async Task<ClinicPatient> PatientForWriteAsync(string mpi, CancellationToken ct = default) => (await PatientsForWriteAsync([mpi], ct))[mpi];

    public DbSet<ClinicPatient> Patients => Set<ClinicPatient>();
    public DbSet<Visit> Visits => Set<Visit>();
    public DbSet<Vitals> Vitals => Set<Vitals>();
    public DbSet<ClinicAllergy> Allergies => Set<ClinicAllergy>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.Entity<ClinicPatient>(p =>
        {
            p.ToTable("patients");
            p.HasKey(x => x.Mrn);
            p.Property(x => x.Mrn).HasMaxLength(16);
            p.Property(x => x.Mpi).HasMaxLength(20);
            p.HasIndex(x => x.Mpi).IsUnique();
        });
        builder.Entity<Visit>(v =>
        {
            v.ToTable("visits");
            v.Property(x => x.Id).HasMaxLength(64);
            v.HasOne(x => x.Patient).WithMany(p => p.Visits).HasForeignKey(x => x.PatientMrn).OnDelete(DeleteBehavior.Restrict);
            v.Property(x => x.Clinician).HasMaxLength(200);
            v.Property(x => x.ChiefComplaint).HasMaxLength(500);
            v.Property(x => x.Findings).HasMaxLength(4000);
            v.Property(x => x.Treatment).HasMaxLength(4000);
            v.Property(x => x.NoteId).HasMaxLength(64);
            v.HasIndex(x => x.NoteId).IsUnique();
            v.Property(x => x.EnteredBy).HasMaxLength(200);
        });
        builder.Entity<Vitals>(v =>
        {
            v.ToTable("vitals");
            v.HasKey(x => x.VisitId);
            v.HasOne(x => x.Visit).WithOne(x => x.Vitals).HasForeignKey<Vitals>(x => x.VisitId).OnDelete(DeleteBehavior.Cascade);
            v.Property(x => x.TemperatureC).HasPrecision(4, 1);
            v.Property(x => x.WeightKg).HasPrecision(5, 1);
        });
        builder.Entity<ClinicAllergy>(a =>
        {
            a.ToTable("allergies", t => t.HasCheckConstraint("CK_allergies_category", "Category IN ('medication','food','environment','biologic')"));
            a.Property(x => x.Id).HasMaxLength(64);
            a.HasOne(x => x.Visit).WithMany(x => x.Allergies).HasForeignKey(x => x.VisitId).OnDelete(DeleteBehavior.Cascade);
            a.Property(x => x.Substance).HasMaxLength(Ehr.Allergies.SubstanceMax);
            a.Property(x => x.Category).HasMaxLength(16);
            a.Property(x => x.Reaction).HasMaxLength(Ehr.Allergies.ReactionMax);
            a.Property(x => x.Severity).HasMaxLength(16);
        });
    }
}
