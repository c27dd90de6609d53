using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Onboarding;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Facility;

/// <summary>A patient as facility staff see them when they find them by MPI number.</summary>
public sealed record FoundPatient(string Mpi, string FullName, DateOnly BirthDate, string Sex);

/// <summary>The outcome of looking a patient up: the patient, or a message for the staff member.</summary>
public sealed record PatientLookup(FoundPatient? Patient, string? Error)
{
    public bool Found => Patient is not null;
}

/// <summary>Staff find patients by MPI number (typed or scanned from the MPI card): registered on the ledger and known to this portal.</summary>
public sealed class FacilityPatients(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger)
{
    /// <summary>What a card's QR code holds, or the number as typed; returns the MPI number in display form, or why not.</summary>
    public static bool TryReadMpi(string? scannedOrTyped, out string mpi, out string error)
    {
        var text = (scannedOrTyped ?? "").Trim();
        if (text.StartsWith(QrCodes.MpiPrefix, StringComparison.OrdinalIgnoreCase)) text = text[QrCodes.MpiPrefix.Length..];
        else if (text.Contains(':')) { mpi = ""; error = "This code is not a HealthPortal MPI card."; return false; }
        return MpiNumber.TryParse(text, out mpi, out error);
    }

    /// <summary>
    /// The message to show while an MPI number is being typed: only stray characters are wrong until the number is
    /// complete, then the check digit speaks. Null when there is nothing to say yet (or it is valid).
    /// </summary>
    public static string? AsTyped(string? value, out bool valid)
    {
        value ??= "";
        valid = TryReadMpi(value, out _, out var error);
        if (valid) return null;
        var digits = value.Count(char.IsAsciiDigit);
        var stray = value.Any(c => !(char.IsAsciiDigit(c) || c is ' ' or '-'));
        return stray || digits >= MpiNumber.Digits ? error : null;
    }

    public async Task<PatientLookup> FindAsync(ClaimsPrincipal staff, string? mpiInput)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded) return new(null, "Only facility staff can look patients up.");
        if (!TryReadMpi(mpiInput, out var mpi, out var error)) return new(null, error);
        await using var db = await dbFactory.CreateDbContextAsync();
        var profile = await db.PatientProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.MpiNumber == mpi);
        if (profile is null || ledger.Engine.State.Patient(mpi) is null)
            return new(null, $"No patient with MPI number {mpi} is registered on the network. Check the number with the patient.");
        return new(new FoundPatient(mpi, profile.FullName, profile.BirthDate, profile.Sex.ToString()), null);
    }
}
