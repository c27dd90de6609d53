using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Patients;

namespace HealthPortal.Features.Patient;

public sealed class PatientProfileInput
{
    [Required(ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.FullNameRequired))]
    [StringLength(200, MinimumLength = 2, ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.FullNameLength))]
    public string FullName { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.BirthDateRequired))]
    public DateTime? BirthDate { get; set; }

    /// <summary>No default: a patient who skips the question has not said "female".</summary>
    [Required(ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.SexRequired))]
    public Sex? Sex { get; set; }

    [Required(ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.NationalIdRequired))]
    [StringLength(40, MinimumLength = 4, ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.NationalIdLength))]
    [Display(Name = "National ID (NRC)")]
    public string NationalId { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.PhoneRequired))]
    [Phone(ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.PhoneInvalid))]
    [StringLength(40, ErrorMessageResourceType = typeof(ProfileValidation), ErrorMessageResourceName = nameof(ProfileValidation.PhoneLength))]
    public string Phone { get; set; } = "";

    /// <summary>The zone times are shown in (IANA id, one the portal offers).</summary>
    public string TimeZone { get; set; } = Times.PortalTimeZones.DefaultId;

    public static PatientProfileInput From(PatientProfile? profile) => profile is null ? new() : new()
    {
        TimeZone = profile.TimeZone,
        FullName = profile.FullName,
        BirthDate = profile.BirthDate.ToDateTime(TimeOnly.MinValue),
        Sex = profile.Sex,
        NationalId = profile.NationalId,
        Phone = profile.Phone,
    };
}

public enum ProfileSave { Saved, Forbidden, Invalid, TooManyLookups }

/// <summary>A patient's own demographics: read and written only for the calling patient.</summary>
public sealed class PatientProfiles(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IAuthorizationService authorization,
    TimeProvider clock,
    IdentityLookupLimiter lookups,
    CircuitClientAddress client)
{
    public async Task<PatientProfile?> MineAsync(ClaimsPrincipal patient)
    {
        if (await PatientIdAsync(patient) is not { } userId) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.PatientProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId);
    }

    public async Task<ProfileSave> SaveMineAsync(ClaimsPrincipal patient, PatientProfileInput input)
    {
        if (await PatientIdAsync(patient) is not { } userId) return ProfileSave.Forbidden;
        if (!Validator.TryValidateObject(input, new ValidationContext(input), null, validateAllProperties: true)) return ProfileSave.Invalid;
        if (!Times.PortalTimeZones.IsOffered(input.TimeZone)) return ProfileSave.Invalid;

        var birthDate = DateOnly.FromDateTime(input.BirthDate!.Value);
        if (birthDate > DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) || birthDate.Year < 1900) return ProfileSave.Invalid;

        var nationalId = input.NationalId.Trim().ToUpperInvariant();
        await using var db = await dbFactory.CreateDbContextAsync();
        var profile = await db.PatientProfiles.SingleOrDefaultAsync(p => p.UserId == userId);

        // A new or changed national ID is compared with every other patient's: limit how often one network may do
        // that (the answer no longer reveals anything, this keeps the lookups themselves from being run in bulk).
        var lookup = profile is null || profile.NationalId != nationalId;
        if (lookup && !lookups.TryAcquire(client.Address).Allowed) return ProfileSave.TooManyLookups;

        if (profile is null)
        {
            profile = new PatientProfile { UserId = userId };
            db.PatientProfiles.Add(profile);
        }
        profile.FullName = input.FullName.Trim();
        profile.BirthDate = birthDate;
        profile.Sex = input.Sex!.Value;
        profile.NationalId = nationalId;
        profile.Phone = input.Phone.Trim();
        profile.TimeZone = input.TimeZone;
        profile.UpdatedAt = clock.GetUtcNow();

        // Someone else already has this ID: save anyway and answer exactly as for any save (telling the user would
        // tell anyone that a named person is a patient), and put the pair before an MPI steward.
        if (lookup) await FlagDuplicatesAsync(db, userId, nationalId);
        // One phone number per patient: the account's follows the profile's, so the account page shows this one
        // instead of asking for a second number that could disagree with it.
        if (await db.Users.SingleOrDefaultAsync(u => u.Id == userId) is { } account)
        {
            var phone = profile.Phone.Length == 0 ? null : profile.Phone;
            if (account.PhoneNumber != phone)
            {
                account.PhoneNumber = phone;
                account.PhoneNumberConfirmed = false;
            }
        }
        await db.SaveChangesAsync();
        return ProfileSave.Saved;
    }

    private async Task FlagDuplicatesAsync(ApplicationDbContext db, string userId, string nationalId)
    {
        var holders = await db.PatientProfiles.Where(p => p.NationalId == nationalId && p.UserId != userId).Select(p => p.UserId).ToListAsync();
        foreach (var holder in holders)
        {
            if (await db.IdentityChecks.AnyAsync(c => c.UserId == userId && c.OtherUserId == holder && c.Reason == IdentityCheck.DuplicateNationalId)) continue;
            db.IdentityChecks.Add(new IdentityCheck { UserId = userId, OtherUserId = holder, CreatedAt = clock.GetUtcNow() });
        }
    }

    private async Task<string?> PatientIdAsync(ClaimsPrincipal patient) =>
        (await authorization.AuthorizeAsync(patient, PortalPolicies.PatientPortal)).Succeeded
            ? patient.FindFirstValue(ClaimTypes.NameIdentifier)
            : null;
}
