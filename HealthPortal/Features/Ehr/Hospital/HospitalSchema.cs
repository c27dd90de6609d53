using HealthPortal.Features.Forms;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Hospital;

/// <summary>A hospital patient: the hospital's own MRN ("H0000042") linked to the patient's MPI number.</summary>
public sealed class HospitalPatient
{
    public string Mrn { get; set; } = "";
    public string Mpi { get; set; } = "";
    public List<Admission> Admissions { get; set; } = [];
}

/// <summary>An admission or attendance (inpatient, outpatient, emergency). Times are UTC.</summary>
public sealed class Admission
{
    public string Id { get; set; } = "";
    public string PatientMrn { get; set; } = "";
    public HospitalPatient Patient { get; set; } = null!;
    public string Type { get; set; } = AdmissionTypes.Inpatient;
    public string Ward { get; set; } = "";
    public string AttendingClinician { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>The staff account that entered it (the store's own audit; not part of the FHIR form).</summary>
    public string EnteredBy { get; set; } = "";
    public List<Diagnosis> Diagnoses { get; set; } = [];
    public List<Prescription> Prescriptions { get; set; } = [];
    public List<ClinicalNote> Notes { get; set; } = [];
    public List<HospitalAllergy> Allergies { get; set; } = [];
}

public sealed class Diagnosis
{
    public string Id { get; set; } = "";
    public string AdmissionId { get; set; } = "";
    public Admission Admission { get; set; } = null!;
    public int Position { get; set; }
    public string Icd10 { get; set; } = "";
    public string Description { get; set; } = "";
}

public sealed class Prescription
{
    public string Id { get; set; } = "";
    public string AdmissionId { get; set; } = "";
    public Admission Admission { get; set; } = null!;
    public int Position { get; set; }
    public string Drug { get; set; } = "";
    public string Dose { get; set; } = "";
    public string Route { get; set; } = "";
    public string Frequency { get; set; } = "";
    public int DurationDays { get; set; }
}

public sealed class ClinicalNote
{
    public string Id { get; set; } = "";
    public string AdmissionId { get; set; } = "";
    public Admission Admission { get; set; } = null!;
    public string Author { get; set; } = "";
    public DateTime WrittenAt { get; set; }
    public string Text { get; set; } = "";
}

/// <summary>An allergy or intolerance recorded at the admission (see <see cref="Ehr.Allergies"/>).</summary>
public sealed class HospitalAllergy
{
    public string Id { get; set; } = "";
    public string AdmissionId { get; set; } = "";
    public Admission Admission { get; set; } = null!;
    public int Position { get; set; }
    public string Substance { get; set; } = "";
    public string Category { get; set; } = AllergyCategories.Medication;
    public string Reaction { get; set; } = "";
    public string Severity { get; set; } = "";
}

public static class AdmissionTypes
{
    public const string Inpatient = "inpatient";
    public const string Outpatient = "outpatient";
    public const string Emergency = "emergency";

    public static readonly IReadOnlyList<string> All = [Inpatient, Outpatient, Emergency];
}

/// <summary>The hospital format's schema (migrations in <c>Features/Ehr/Hospital/Migrations</c>).</summary>
public sealed class HospitalStoreContext(DbContextOptions<HospitalStoreContext> options) : DbContext(options)
{
    /// <summary>
    /// The hospital patients of these MPI numbers, each one the store lacks added (tracked, saved with the caller's
    /// changes) under the next MRN ($"H{n:D7}"). Call it inside the write transaction, so two writers cannot take the same MRN.
    /// </summary>
    public async Task<Dictionary<string, HospitalPatient>> PatientsForWriteAsync(IReadOnlyCollection<string> mpis, CancellationToken ct = default)
    {
        var wanted = mpis.Distinct().ToList();
        var patients = await Patients.Where(p => wanted.Contains(p.Mpi)).ToDictionaryAsync(p => p.Mpi, ct);
        if (patients.Count == wanted.Count) return patients;
        var count = await Patients.CountAsync(ct);
        foreach (var mpi in wanted.Where(m => !patients.ContainsKey(m)))
        {
            var patient = new HospitalPatient { Mrn = $"H{++count:D7}", Mpi = mpi };
            patients[mpi] = patient;
            Patients.Add(patient);
        }
        return patients;
    }

    /// <summary>The hospital patient of one MPI number, added under the next MRN when the store has none (see <see cref="PatientsForWriteAsync"/>).</summary>
    public async Task<HospitalPatient> PatientForWriteAsync(string mpi, CancellationToken ct = default) => (await PatientsForWriteAsync([mpi], ct))[mpi];

    public DbSet<HospitalPatient> Patients => Set<HospitalPatient>();
    public DbSet<Admission> Admissions => Set<Admission>();
    public DbSet<Diagnosis> Diagnoses => Set<Diagnosis>();
    public DbSet<Prescription> Prescriptions => Set<Prescription>();
    public DbSet<ClinicalNote> Notes => Set<ClinicalNote>();
    public DbSet<HospitalAllergy> Allergies => Set<HospitalAllergy>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.Entity<HospitalPatient>(p =>
        {
            p.ToTable("patients");
            p.HasKey(x => x.Mrn);
            p.Property(x => x.Mrn).HasMaxLength(16);
            p.Property(x => x.Mpi).HasMaxLength(20);
            p.HasIndex(x => x.Mpi).IsUnique();
        });
        builder.Entity<Admission>(a =>
        {
            a.ToTable("admissions", t => t.HasCheckConstraint("CK_admissions_type", "Type IN ('inpatient','outpatient','emergency')"));
            a.Property(x => x.Id).HasMaxLength(64);
            a.HasOne(x => x.Patient).WithMany(p => p.Admissions).HasForeignKey(x => x.PatientMrn).OnDelete(DeleteBehavior.Restrict);
            a.Property(x => x.Type).HasMaxLength(16);
            a.Property(x => x.Ward).HasMaxLength(100);
            a.Property(x => x.AttendingClinician).HasMaxLength(200);
            a.Property(x => x.EnteredBy).HasMaxLength(200);
        });
        builder.Entity<Diagnosis>(d =>
        {
            d.ToTable("diagnoses");
            d.Property(x => x.Id).HasMaxLength(64);
            d.HasOne(x => x.Admission).WithMany(a => a.Diagnoses).HasForeignKey(x => x.AdmissionId).OnDelete(DeleteBehavior.Cascade);
            d.Property(x => x.Icd10).HasMaxLength(10);
            d.Property(x => x.Description).HasMaxLength(200);
        });
        builder.Entity<Prescription>(p =>
        {
            p.ToTable("prescriptions");
            p.Property(x => x.Id).HasMaxLength(64);
            p.HasOne(x => x.Admission).WithMany(a => a.Prescriptions).HasForeignKey(x => x.AdmissionId).OnDelete(DeleteBehavior.Cascade);
            p.Property(x => x.Drug).HasMaxLength(200);
            p.Property(x => x.Dose).HasMaxLength(50);
            p.Property(x => x.Route).HasMaxLength(30);
            p.Property(x => x.Frequency).HasMaxLength(100);
        });
        builder.Entity<ClinicalNote>(n =>
        {
            n.ToTable("clinical_notes");
            n.Property(x => x.Id).HasMaxLength(64);
            n.HasOne(x => x.Admission).WithMany(a => a.Notes).HasForeignKey(x => x.AdmissionId).OnDelete(DeleteBehavior.Cascade);
            n.Property(x => x.Author).HasMaxLength(200);
            n.Property(x => x.Text).HasMaxLength(TextLimits.ClinicalNote);
        });
        builder.Entity<HospitalAllergy>(a =>
        {
            a.ToTable("allergies", t => t.HasCheckConstraint("CK_allergies_category", "Category IN ('medication','food','environment','biologic')"));
            a.Property(x => x.Id).HasMaxLength(64);
            a.HasOne(x => x.Admission).WithMany(x => x.Allergies).HasForeignKey(x => x.AdmissionId).OnDelete(DeleteBehavior.Cascade);
            a.Property(x => x.Substance).HasMaxLength(Ehr.Allergies.SubstanceMax);
            a.Property(x => x.Category).HasMaxLength(16);
            a.Property(x => x.Reaction).HasMaxLength(Ehr.Allergies.ReactionMax);
            a.Property(x => x.Severity).HasMaxLength(16);
        });
    }
}
