using HealthPortal.Data;
using HealthPortal.Features.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Mpi;

/// <summary>How a facility's register entry came to be.</summary>
public enum RegisterSource { WalkIn, Import, Demo }

/// <summary>
/// One patient in a facility's own register: the facility's patient number (MRN), the demographics as the facility
/// wrote them, and the MPI number the MRN is linked to — an existing patient's, or one issued here for someone new
/// (issued numbers become the patient's own when they sign up and register a key). Kept in this node's database only;
/// nothing of it goes to the ledger.
/// </summary>
public sealed class MpiRegisterEntry
{
    public int Id { get; set; }
    public string FacilityId { get; set; } = "";
    public string Mrn { get; set; } = "";
    public string FullName { get; set; } = "";
    public string BurmeseName { get; set; } = "";
    public DateOnly? BirthDate { get; set; }
    public Sex? Sex { get; set; }
    public string Nrc { get; set; } = "";
    public string Phone { get; set; } = "";
    public string Township { get; set; } = "";
    public string FatherName { get; set; } = "";
    public string Mpi { get; set; } = "";
    public RegisterSource Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An MPI number merged into another: anything that names it is read as <see cref="SurvivingMpi"/>.</summary>
public sealed class MpiRetiredNumber
{
    public string RetiredMpi { get; set; } = "";
    public string SurvivingMpi { get; set; } = "";
    public int DecisionId { get; set; }
    public DateTimeOffset RetiredAt { get; set; }
}

/// <summary>A staff member a facility's manager made MPI steward of that facility (managers are stewards already).</summary>
public sealed class MpiSteward
{
    public string UserId { get; set; } = "";
    public string FacilityId { get; set; } = "";
    public string GrantedBy { get; set; } = "";
    public DateTimeOffset GrantedAt { get; set; }
}

internal sealed class MpiRegisterConfiguration :
    IEntityTypeConfiguration<MpiRegisterEntry>, IEntityTypeConfiguration<MpiRetiredNumber>, IEntityTypeConfiguration<MpiSteward>,
    IEntityTypeConfiguration<MpiReviewItem>, IEntityTypeConfiguration<MpiDecision>
{
    public void Configure(EntityTypeBuilder<MpiRegisterEntry> e)
    {
        e.ToTable("MpiRegister");
        e.HasIndex(x => new { x.FacilityId, x.Mrn }).IsUnique();
        e.HasIndex(x => x.Mpi);
        e.Property(x => x.FacilityId).HasMaxLength(64);
        e.Property(x => x.Mrn).HasMaxLength(32);
        e.Property(x => x.FullName).HasMaxLength(200);
        e.Property(x => x.BurmeseName).HasMaxLength(200);
        e.Property(x => x.Nrc).HasMaxLength(64);
        e.Property(x => x.Phone).HasMaxLength(40);
        e.Property(x => x.Township).HasMaxLength(100);
        e.Property(x => x.FatherName).HasMaxLength(200);
        e.Property(x => x.Mpi).HasMaxLength(20);
        e.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
    }

    public void Configure(EntityTypeBuilder<MpiRetiredNumber> e)
    {
        e.ToTable("MpiRetiredNumber");
        e.HasKey(x => x.RetiredMpi);
        e.Property(x => x.RetiredMpi).HasMaxLength(20);
        e.Property(x => x.SurvivingMpi).HasMaxLength(20);
    }

    public void Configure(EntityTypeBuilder<MpiSteward> e)
    {
        e.ToTable("MpiSteward");
        e.HasKey(x => new { x.UserId, x.FacilityId });
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<MpiReviewItem> e)
    {
        e.ToTable("MpiReviewItem");
        // One item per pair of numbers, whatever its state: a pair decided "not a match" is never proposed again.
        e.HasIndex(x => new { x.LeftMpi, x.RightMpi }).IsUnique();
        e.HasIndex(x => new { x.Status, x.FacilityId });
        e.Property(x => x.LeftMpi).HasMaxLength(20);
        e.Property(x => x.RightMpi).HasMaxLength(20);
        e.Property(x => x.FacilityId).HasMaxLength(64);
        e.Property(x => x.Note).HasMaxLength(MpiStewardQueue.MaxReasonLength);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        e.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(16);
    }

    public void Configure(EntityTypeBuilder<MpiDecision> e)
    {
        e.ToTable("MpiDecision");
        e.HasIndex(x => x.ItemId);
        e.Property(x => x.Reason).HasMaxLength(MpiStewardQueue.MaxReasonLength);
        e.Property(x => x.Decision).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.StewardName).HasMaxLength(256);
        e.Property(x => x.FacilityId).HasMaxLength(64);
    }
}

public static class MpiRegisterModel
{
    /// <summary>The register, the review queue and its decisions, retired numbers and stewards in the portal database.</summary>
    public static void Configure(ModelBuilder builder)
    {
        var configuration = new MpiRegisterConfiguration();
        builder.ApplyConfiguration<MpiRegisterEntry>(configuration);
        builder.ApplyConfiguration<MpiRetiredNumber>(configuration);
        builder.ApplyConfiguration<MpiSteward>(configuration);
        builder.ApplyConfiguration<MpiReviewItem>(configuration);
        builder.ApplyConfiguration<MpiDecision>(configuration);
        builder.ApplyConfiguration(new MpiDisputeConfiguration());
        builder.ApplyConfiguration(new MpiMergeRequestConfiguration());
    }
}

/// <summary>One MPI number as this node knows the person: the patient's own profile when they signed up here, else a facility's register entry.</summary>
public sealed record RegisterPerson(string Mpi, string FullName, DateOnly? BirthDate, Sex? Sex, string Nrc, string Phone,
    string Township, bool Registered, IReadOnlyList<(string FacilityId, string Mrn)> Mrns, MpiRecord Record);

/// <summary>
/// Everyone this node can match: patients' own profiles (with an MPI number) and facilities' register entries, one
/// person per MPI number, retired numbers read as their survivors. Demographics are read here and compared in memory.
/// </summary>
public static class MpiPeople
{
    public static async Task<Dictionary<string, string>> RetiredAsync(ApplicationDbContext db, CancellationToken ct) =>
        await db.Set<MpiRetiredNumber>().AsNoTracking().ToDictionaryAsync(r => r.RetiredMpi, r => r.SurvivingMpi, StringComparer.Ordinal, ct);

    /// <summary>Follows retired numbers to the one that survives (merges can chain; a loop cannot be made, but is cut anyway).</summary>
    public static string Resolve(IReadOnlyDictionary<string, string> retired, string mpi)
    {
        for (var hops = 0; hops < 16 && retired.TryGetValue(mpi, out var next); hops++) mpi = next;
        return mpi;
    }

    public static async Task<Dictionary<string, RegisterPerson>> LoadAsync(ApplicationDbContext db, CancellationToken ct)
    {
        var retired = await RetiredAsync(db, ct);
        var profiles = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null)
            .Select(p => new { p.MpiNumber, p.FullName, p.BirthDate, p.Sex, p.NationalId, p.Phone }).ToListAsync(ct);
        var entries = await db.Set<MpiRegisterEntry>().AsNoTracking().OrderBy(e => e.Id).ToListAsync(ct);
        var mrns = entries.GroupBy(e => Resolve(retired, e.Mpi), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(string, string)>)g.Select(e => (e.FacilityId, e.Mrn)).ToList(), StringComparer.Ordinal);
        var people = new Dictionary<string, RegisterPerson>(StringComparer.Ordinal);
        foreach (var p in profiles)
        {
            var mpi = Resolve(retired, p.MpiNumber!);
            if (people.ContainsKey(mpi)) continue;
            people[mpi] = new RegisterPerson(mpi, p.FullName, p.BirthDate, p.Sex, p.NationalId, p.Phone, "", Registered: true,
                mrns.GetValueOrDefault(mpi) ?? [], MpiRecord.Create(mpi, p.FullName, p.BirthDate, p.Sex, p.NationalId, p.Phone));
        }
        foreach (var e in entries)
        {
            var mpi = Resolve(retired, e.Mpi);
            if (people.ContainsKey(mpi)) continue;
            people[mpi] = new RegisterPerson(mpi, e.FullName, e.BirthDate, e.Sex, e.Nrc, e.Phone, e.Township, Registered: false,
                mrns.GetValueOrDefault(mpi) ?? [],
                MpiRecord.Create(mpi, e.FullName, e.BirthDate, e.Sex, e.Nrc, e.Phone, e.Township, e.BurmeseName, e.FatherName));
        }
        return people;
    }

    /// <summary>The next free register number of a facility for a patient the desk registers without one of its own.</summary>
    public static async Task<string> NextMrnAsync(ApplicationDbContext db, string facilityId, string prefix, CancellationToken ct)
    {
        var count = await db.Set<MpiRegisterEntry>().CountAsync(e => e.FacilityId == facilityId, ct);
        for (var n = count + 1; ; n++)
        {
            var mrn = $"{prefix}{n:D6}";
            if (!await db.Set<MpiRegisterEntry>().AnyAsync(e => e.FacilityId == facilityId && e.Mrn == mrn, ct)) return mrn;
        }
    }
}
