using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Patient;

public sealed class PatientProfileInput
{
    [Required, StringLength(200, MinimumLength = 2)]
    public string FullName { get; set; } = "";

    [Required]
    public DateTime? BirthDate { get; set; }

    public Sex Sex { get; set; }

    [Required, StringLength(40, MinimumLength = 4)]
    [Display(Name = "National ID (NRC)")]
    public string NationalId { get; set; } = "";

    [Required, Phone, StringLength(40)]
    public string Phone { get; set; } = "";

    public static PatientProfileInput From(PatientProfile? profile) => profile is null ? new() : new()
    {
        FullName = profile.FullName,
        BirthDate = profile.BirthDate.ToDateTime(TimeOnly.MinValue),
        Sex = profile.Sex,
        NationalId = profile.NationalId,
        Phone = profile.Phone,
    };
}

public enum ProfileSave { Saved, Forbidden, Invalid, NationalIdTaken }

/// <summary>A patient's own demographics: read and written only for the calling patient.</summary>
public sealed class PatientProfiles(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, TimeProvider clock)
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

        var birthDate = DateOnly.FromDateTime(input.BirthDate!.Value);
        if (birthDate > DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) || birthDate.Year < 1900) return ProfileSave.Invalid;

        var nationalId = input.NationalId.Trim().ToUpperInvariant();
        await using var db = await dbFactory.CreateDbContextAsync();
        if (await db.PatientProfiles.AnyAsync(p => p.NationalId == nationalId && p.UserId != userId)) return ProfileSave.NationalIdTaken;

        var profile = await db.PatientProfiles.SingleOrDefaultAsync(p => p.UserId == userId);
        if (profile is null)
        {
            profile = new PatientProfile { UserId = userId };
            db.PatientProfiles.Add(profile);
        }
        profile.FullName = input.FullName.Trim();
        profile.BirthDate = birthDate;
        profile.Sex = input.Sex;
        profile.NationalId = nationalId;
        profile.Phone = input.Phone.Trim();
        profile.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync();
        return ProfileSave.Saved;
    }

    private async Task<string?> PatientIdAsync(ClaimsPrincipal patient) =>
        (await authorization.AuthorizeAsync(patient, PortalPolicies.PatientPortal)).Succeeded
            ? patient.FindFirstValue(ClaimTypes.NameIdentifier)
            : null;
}
