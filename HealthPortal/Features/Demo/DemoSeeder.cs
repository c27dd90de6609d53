using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Demo;

/// <summary>
/// Seeds <see cref="DemoData"/>: facilities, their managers and staff, the consortium admin and two patients.
/// Each step looks for what it would create first, so running it again (or on a database that has the demo
/// already) changes nothing. Everything happens in one transaction: a failure leaves no half-seeded portal.
/// </summary>
public sealed class DemoSeeder(
    ApplicationDbContext db,
    UserManager<ApplicationUser> users,
    IPasswordHasher<ApplicationUser> hasher,
    IOptions<DemoOptions> options,
    ILogger<DemoSeeder> logger)
{
    private string? passwordHash;

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var created = await SeedFacilitiesAsync(cancellationToken);
        foreach (var account in DemoData.AccountsOf(options.Value))
        {
            created += await SeedAccountAsync(account) ? 1 : 0;
        }
        created += await SeedPatientProfilesAsync(cancellationToken);
        created += await SeedAuthenticatorsAsync();
        created += await SeedMpiRegistersAsync(cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        if (created > 0) logger.LogInformation("Demo data seeded ({Count} new rows); demo accounts are listed on the login page", created);
    }

    /// <summary>
    /// Step 1: the three approved facilities (later also registered on the ledger). A consortium node seeds only its
    /// own; it learns the other members from the replicated ledger (<see cref="DemoLedgerSeeder"/>).
    /// </summary>
    private async Task<int> SeedFacilitiesAsync(CancellationToken cancellationToken)
    {
        var existing = await db.Facilities.Select(f => f.Id).ToListAsync(cancellationToken);
        var facilities = options.Value.Facility is { Length: > 0 } own
            ? DemoData.ConsortiumFacilities.Where(f => f.Id == own).ToList()
            : DemoData.Facilities;
        if (options.Value.Facility is { Length: > 0 } unknown && facilities.Count == 0)
            throw new InvalidOperationException($"{DemoOptions.Section}:Facility '{unknown}' is not a demo facility (one of {string.Join(", ", DemoData.ConsortiumFacilities.Select(f => f.Id))})");
        var missing = facilities.Where(f => !existing.Contains(f.Id)).ToList();
        db.Facilities.AddRange(missing.Select(f => new HealthFacility
        {
            Id = f.Id,
            Name = f.Name,
            Kind = f.Kind,
            Contact = f.Contact,
            Endpoint = f.Endpoint,
            Status = FacilityStatus.Approved,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return missing.Count;
    }

    /// <summary>Step 2: one account per <see cref="DemoData.Accounts"/> entry, in its role and facility.</summary>
    private async Task<bool> SeedAccountAsync(DemoData.Account account)
    {
        if (await users.FindByEmailAsync(account.Email) is not null) return false;

        var user = new ApplicationUser
        {
            UserName = account.Email,
            Email = account.Email,
            EmailConfirmed = true,
            DisplayName = account.DisplayName,
            FacilityId = account.FacilityId,
            // Only when the account is created: afterwards the facility's manager decides.
            CanBreakGlass = account.CanBreakGlass,
            // PBKDF2 at 210,000 iterations takes ~100 ms or more; every demo account shares one password, so
            // hash it once (a fresh random salt still makes it unguessable offline like any other hash).
            PasswordHash = passwordHash ??= hasher.HashPassword(new ApplicationUser(), options.Value.Password),
        };
        Check(await users.CreateAsync(user), account.Email);
        Check(await users.AddToRoleAsync(user, account.Role), account.Email);
        return true;
    }

    /// <summary>Step 3: demographics of the demo patients (their MPI numbers come with ledger registration).</summary>
    private async Task<int> SeedPatientProfilesAsync(CancellationToken cancellationToken)
    {
        var created = 0;
        foreach (var patient in DemoData.PatientsOf(options.Value).Concat(DemoData.RegisteredTwiceOf(options.Value)))
        {
            var userId = await db.Users.Where(u => u.Email == patient.Email).Select(u => u.Id).SingleAsync(cancellationToken);
            if (await db.PatientProfiles.AnyAsync(p => p.UserId == userId, cancellationToken)) continue;

            db.PatientProfiles.Add(new PatientProfile
            {
                UserId = userId,
                FullName = patient.FullName,
                BirthDate = patient.BirthDate,
                Sex = patient.Sex,
                NationalId = patient.NationalId,
                Phone = patient.Phone,
            });
            created++;
        }
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>
    /// Near-duplicates in the facilities' own registers, so the walk-in check and the MPI steward's queue can be tried:
    /// Min Thant Zaw registered again at Lakeview as "Mg Min Thant Zaw" with day and month swapped and no NRC (a walk-in
    /// the desk did not match to him), one person who is no portal patient, registered at Riverside and at Lakeview with
    /// the romanisation varying (Kyaw/Chaw, Thein/Thane) and day and month swapped, and one woman filed twice in
    /// Riverside's own register ("Daw Hnin Wutt Yee" and "Nhin Wutt Yee", the same birth date and phone, the NRC only on
    /// the first file). Each entry has the MPI number its facility issued. <see cref="DemoMpiSeeder"/> adds the entries
    /// that name registered patients' numbers and queues the pairs for the stewards.
    /// </summary>
    public static readonly IReadOnlyList<MpiRegisterEntry> NearDuplicates =
    [
        new() { FacilityId = "demo-lakeview", Mrn = "C-2019-0417", FullName = "Mg Min Thant Zaw", BirthDate = new DateOnly(1975, 3, 11), Sex = Sex.Male,
            Phone = "09 400 000 002", Township = "Hlaing", Source = RegisterSource.Demo },
        new() { FacilityId = "demo-riverside", Mrn = "H-000311", FullName = "U Kyaw Thein Naing", BirthDate = new DateOnly(1962, 6, 5), Sex = Sex.Male,
            Nrc = "12/KAMAYA(N)334455", Phone = "09 5123 4567", Township = "Kamayut", Source = RegisterSource.Demo },
        new() { FacilityId = "demo-lakeview", Mrn = "C-2021-1188", FullName = "Chaw Thane Naing", BirthDate = new DateOnly(1962, 5, 6), Sex = Sex.Male,
            Phone = "+95 9 5123 4567", Township = "Kamayut", Source = RegisterSource.Demo },
        new() { FacilityId = "demo-riverside", Mrn = "H-000420", FullName = "Daw Hnin Wutt Yee", BirthDate = new DateOnly(1986, 2, 14), Sex = Sex.Female,
            Nrc = "12/BAHANA(N)556677", Phone = "09 7700 1234", Township = "Bahan", Source = RegisterSource.Demo },
        new() { FacilityId = "demo-riverside", Mrn = "H-000988", FullName = "Nhin Wutt Yee", BirthDate = new DateOnly(1986, 2, 14), Sex = Sex.Female,
            Phone = "+95 9 7700 1234", Township = "Bahan", Source = RegisterSource.Demo },
    ];

    /// <summary>Step 5: <see cref="NearDuplicates"/> for the facilities this node holds.</summary>
    private async Task<int> SeedMpiRegistersAsync(CancellationToken cancellationToken)
    {
        var here = await db.Facilities.Select(f => f.Id).ToListAsync(cancellationToken);
        var created = 0;
        foreach (var entry in NearDuplicates.Where(e => here.Contains(e.FacilityId)))
        {
            if (await db.Set<MpiRegisterEntry>().AnyAsync(e => e.FacilityId == entry.FacilityId && e.Mrn == entry.Mrn, cancellationToken)) continue;
            db.Add(new MpiRegisterEntry
            {
                FacilityId = entry.FacilityId, Mrn = entry.Mrn, FullName = entry.FullName, BirthDate = entry.BirthDate, Sex = entry.Sex,
                Nrc = entry.Nrc, Phone = entry.Phone, Township = entry.Township, Source = RegisterSource.Demo,
                Mpi = MpiNumber.NewNumber(), CreatedAt = DateTimeOffset.UtcNow,
            });
            created++;
        }
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>
    /// Step 4: staff and admins must sign in with a second factor; each demo one gets an authenticator key (random,
    /// kept in the database like any enrolled user's) and two-factor sign-in, and the login page shows its current code.
    /// Also for demo databases seeded before second factors existed.
    /// </summary>
    private async Task<int> SeedAuthenticatorsAsync()
    {
        var created = 0;
        foreach (var account in DemoAuthenticator.Accounts)
        {
            var user = await users.FindByEmailAsync(account.Email);
            if (user is null || !string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user))) continue;
            Check(await users.ResetAuthenticatorKeyAsync(user), account.Email);
            Check(await users.SetTwoFactorEnabledAsync(user, true), account.Email);
            created++;
        }
        return created;
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Seeding demo account {email} failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
