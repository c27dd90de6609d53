using System.Globalization;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Access;
using HealthPortal.Features.Admission;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.FacilityPortal;

/// <summary>
/// A patient as facility staff see them when they find them by MPI number: only what confirms, at the desk, that the
/// card belongs to the person in front of them — the initials of their name and their birth year, which staff check
/// against what the patient says. Not the full name, birth date or sex: a lookup needs no grant (the patient may not
/// have shared anything yet), so it must not hand a near-unique identity (name + birth date + sex) to anyone who
/// types or guesses a number. The patient is present and co-signs every record on their own phone before it reaches
/// the ledger, which is the real check that a record lands with the right person.
/// A patient registered on the ledger whose account is at another organisation's node (a consortium: they signed up
/// there) has no profile here (<see cref="AtAnotherNode"/>): that node tells the initials and birth year; when it cannot
/// be reached they are null, and staff check the MPI card.
/// </summary>
public sealed record FoundPatient(string Mpi, string? Initials, int? BirthYear, bool AtAnotherNode = false)
{
    /// <summary>Whether the initials and birth year are known (from this portal's profile or the patient's home node).</summary>
    public bool HasInitials => Initials is not null;

    /// <summary>The first letter of each part of the name, e.g. "Aye Aye Mon" → "A. A. M." (text elements, so non-Latin scripts keep whole letters).</summary>
    public static string InitialsOf(string fullName) =>
        string.Join(" ", fullName.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => StringInfo.GetNextTextElement(part).ToUpperInvariant() + "."));
}

/// <summary>Why a staff lookup found no patient; the result's message is what the desk shows.</summary>
public enum LookupError
{
    None,
    /// <summary>The caller is not staff of a facility (or the trail could not name them).</summary>
    Forbidden,
    /// <summary>What was typed or scanned is not an MPI number.</summary>
    NotAnMpiNumber,
    /// <summary>No patient with that number is registered on the network and known to this portal (audited like a find).</summary>
    NotFound,
    /// <summary>A desk search that is not a name, date of birth or NRC number (too short, a malformed NRC or date).</summary>
    NotASearch,
}

/// <summary>
/// Staff find patients by MPI number (typed or scanned from the MPI card): registered on the ledger and known to this
/// portal. Every lookup of a well-formed number, found or not, is written to the facility audit trail (staff account,
/// facility, MPI number, time, outcome), which the patient sees under "Who accessed my records". Scoped, so one
/// instance per circuit: see <see cref="SameLookupWindow"/>.
/// </summary>
public sealed class FacilityPatients(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, CurrentFacility currentFacility,
    FacilityAuditTrail audit, StaffPseudonyms pseudonyms, TimeProvider clock, HealthPortal.Features.Anchoring.CosignRelay? relay = null)
{
    /// <summary>
    /// One desk visit is one lookup: the dashboard's finder looks the number up and opens the patient page, which
    /// looks it up again in the same circuit. The same staff member, number and outcome again within this window in
    /// this circuit is that same lookup and is not written twice; a later one, or one in another tab, is.
    /// </summary>
    public static readonly TimeSpan SameLookupWindow = TimeSpan.FromMinutes(2);

    private (string UserId, string Mpi, bool Found, DateTimeOffset At)? _lastAudited;

    /// <summary>What a card's QR code holds, or the number as typed; returns the MPI number in display form, or why not.</summary>
    public static bool TryReadMpi(string? scannedOrTyped, out string mpi, out string error)
    {
        var text = (scannedOrTyped ?? "").Trim();
        if (text.StartsWith(QrCodes.MpiPrefix, StringComparison.OrdinalIgnoreCase)) text = text[QrCodes.MpiPrefix.Length..];
        else if (text.Contains(':')) { mpi = ""; error = DeskWords.Text("NotACard"); return false; }
        // MpiNumber says what is wrong in English only; the desk says it in the reader's language.
        if (MpiNumber.TryParse(text, out mpi, out error)) return true;
        error = DeskWords.MpiProblem(text)!;
        return false;
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

    /// <summary>The patient with that MPI number (initials and birth year only), or why there is none; every lookup of a well-formed number is audited.</summary>
    public async Task<Result<FoundPatient, LookupError>> FindAsync(ClaimsPrincipal staff, string? mpiInput)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded) return Result.Fail(LookupError.Forbidden, DeskWords.Text("NotFacilityStaff"));
        if (!TryReadMpi(mpiInput, out var mpi, out var error)) return Result.Fail(LookupError.NotAnMpiNumber, error);
        var userId = staff.FindFirstValue(ClaimTypes.NameIdentifier);
        var facility = await currentFacility.OfAsync(staff);
        // Nothing is shown to a caller the trail cannot name.
        if (userId is null || facility is null) return Result.Fail(LookupError.Forbidden, DeskWords.Text("NotStaff"));

        await using var db = await dbFactory.CreateDbContextAsync();
        var profile = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber == mpi)
            .Select(p => new { p.FullName, p.BirthDate }).SingleOrDefaultAsync();
        // The ledger says who is registered on the network; the profile only exists on the node where the patient
        // signed up. In a consortium that node tells the desk the initials and birth year it checks; when it cannot be
        // reached the patient is still found by the replicated ledger, with the number only (staff check the card).
        var found = ledger.Reader.Patient(mpi) is not null;
        var home = profile is null && found && relay is { IsConsortium: true } ? await relay.HomeOfAsync(mpi) : null;
        await AuditAsync(userId, facility.Id, mpi, found);
        if (!found)
            return Result.Fail(LookupError.NotFound, DeskWords.Format("NotFound", mpi));
        return profile is not null
            ? new FoundPatient(mpi, FoundPatient.InitialsOf(profile.FullName), profile.BirthDate.Year)
            : new FoundPatient(mpi, home?.Initials, home?.BirthYear, AtAnotherNode: true);
    }

    private async Task AuditAsync(string userId, string facilityId, string mpi, bool found)
    {
        var now = clock.GetUtcNow();
        if (_lastAudited is { } last && last.UserId == userId && last.Mpi == mpi && last.Found == found && now - last.At < SameLookupWindow) return;
        await audit.RecordAsync(new FacilityAuditEntry
        {
            Kind = FacilityAuditKind.DeskLookup, FacilityId = facilityId, UserId = userId, StaffPseudonym = pseudonyms.Of(userId), Mpi = mpi,
            Outcome = found ? FacilityAuditOutcome.Found : FacilityAuditOutcome.NotFound,
        });
        _lastAudited = (userId, mpi, found, now);
    }
}
