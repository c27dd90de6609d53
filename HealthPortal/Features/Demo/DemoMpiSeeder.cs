using HealthPortal.Data;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Demo;

/// <summary>
/// Makes the MPI workflows triable with the demo as soon as a steward signs in (issue 13, docs/mpi.md). Runs after
/// <see cref="DemoLedgerSeeder"/> (which gives the patients their MPI numbers): Lakeview's register names Aye Aye
/// Myint's number (her home clinic) and Northgate's names the number of her second registration
/// (<see cref="DemoData.RegisteredTwice"/>), then the first start scans each facility's register the way a steward's
/// "Scan for possible duplicates" does, Lakeview first (so the Kyaw/Chaw pair across Riverside and Lakeview is
/// Lakeview's to decide), so the queues hold: at Lakeview the walk-in "Mg Min Thant Zaw" against Min Thant Zaw, the
/// Kyaw/Chaw pair and Aye's two registrations (a merge on the network she co-signs); at Riverside the pair in its own
/// register. Embedded demo only; idempotent (entries looked up by MRN, the scan only while the queue is empty).
/// </summary>
public sealed class DemoMpiSeeder(IDbContextFactory<ApplicationDbContext> dbFactory, MpiStewardQueue queue, IOptions<DemoOptions> options,
    TimeProvider clock, ILogger<DemoMpiSeeder> logger)
{
    /// <summary>The facilities whose queues are filled, in scan order.</summary>
    public static readonly IReadOnlyList<string> ScanOrder = ["demo-lakeview", "demo-riverside", "demo-northgate"];

    /// <summary>The MRNs that name registered demo patients' numbers: (facility, MRN, the patient's e-mail, township).</summary>
    public static readonly IReadOnlyList<(string FacilityId, string Mrn, string Email, string Township)> RegisteredEntries =
    [
        ("demo-lakeview", "C-2020-0101", DemoData.Patients[0].Email, "Hlaing"),
        ("demo-northgate", "N-2024-0093", DemoData.RegisteredTwice.Email, "Hlaing"),
    ];

    public async Task SeedAsync(CancellationToken ct = default)
    {
        if (options.Value.Facility is { Length: > 0 }) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var added = 0;
        foreach (var (facilityId, mrn, email, township) in RegisteredEntries)
        {
            if (await db.Set<MpiRegisterEntry>().AnyAsync(e => e.FacilityId == facilityId && e.Mrn == mrn, ct)) continue;
            var profile = await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == email select p).SingleOrDefaultAsync(ct);
            if (profile?.MpiNumber is null || !await db.Facilities.AnyAsync(f => f.Id == facilityId, ct)) continue;
            db.Add(new MpiRegisterEntry
            {
                FacilityId = facilityId, Mrn = mrn, FullName = profile.FullName, BirthDate = profile.BirthDate, Sex = profile.Sex,
                Nrc = Nrc.Normalise(profile.NationalId) ?? "", Phone = profile.Phone, Township = township,
                Mpi = profile.MpiNumber, Source = RegisterSource.Demo, CreatedAt = clock.GetUtcNow(),
            });
            added++;
        }
        await db.SaveChangesAsync(ct);

        if (await db.Set<MpiReviewItem>().AnyAsync(ct)) return;
        var queued = 0;
        var here = await db.Facilities.Select(f => f.Id).ToListAsync(ct);
        foreach (var facilityId in ScanOrder.Where(here.Contains))
        {
            var scan = await queue.ScanAsync(facilityId, ct);
            if (scan.IsOk) queued += scan.Value!.Added;
        }
        if (added + queued > 0) logger.LogInformation("Demo MPI: {Entries} register entries of registered patients, {Queued} pairs queued for the stewards", added, queued);
    }
}
