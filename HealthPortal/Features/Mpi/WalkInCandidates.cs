using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patients;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Mpi;

/// <summary>What the desk types about a walk-in patient before deciding whether they are already a patient here.</summary>
public sealed class WalkInForm
{
    public string Name { get; set; } = "";
    public string BurmeseName { get; set; } = "";
    public string BirthDate { get; set; } = "";
    public Sex? Sex { get; set; }
    public string Nrc { get; set; } = "";
    public string Phone { get; set; } = "";
}

/// <summary>
/// An existing patient who may be the walk-in. Like the MPI lookup, the desk sees only what confirms a person at the
/// counter (initials and birth year) and which fields agreed or disagreed, never the stored name, NRC or phone: the
/// person in front of staff says those, and the fields' agreement tells staff what to ask.
/// </summary>
public sealed record WalkInCandidate(string Mpi, string Initials, int BirthYear, MatchOutcome Outcome, double Score, IReadOnlyList<FieldComparison> Fields);

public enum WalkInError
{
    None,
    Forbidden,
    /// <summary>The form cannot be matched: no name, or a value that does not read (its field says which).</summary>
    Invalid,
}

/// <summary>
/// The walk-in check at the front desk: before a new patient is sent to registration (where the MPI number is issued),
/// the demographics the desk typed are matched against the patients this node holds, and the ones that may be the same
/// person are shown with the fields that agreed and disagreed. Demographics are read from this node's database and
/// compared in memory; nothing of them is written anywhere, least of all to the ledger.
/// </summary>
public sealed class WalkInCandidates(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, CurrentFacility currentFacility, MpiMatcher matcher)
{
    /// <summary>The most candidates shown: more than this means the form says too little to tell people apart.</summary>
    public const int MaxShown = 5;

    public async Task<Result<IReadOnlyList<WalkInCandidate>, WalkInError>> FindAsync(ClaimsPrincipal staff, WalkInForm form, CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded || await currentFacility.OfAsync(staff) is null)
            return Result.Fail(WalkInError.Forbidden, "Only staff of a facility can check a walk-in patient.");

        var fields = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(form.Name) && string.IsNullOrWhiteSpace(form.BurmeseName))
            fields.Add(new FieldError(nameof(WalkInForm.Name), "Enter the patient's name (in Latin letters, Myanmar script, or both)."));
        var birth = MpiDates.Parse(form.BirthDate);
        if (!birth.IsOk) fields.Add(new FieldError(nameof(WalkInForm.BirthDate), birth.Message!));
        if (!string.IsNullOrWhiteSpace(form.Nrc) && Nrc.Parse(form.Nrc) is { IsOk: false } nrc)
            fields.Add(new FieldError(nameof(WalkInForm.Nrc), nrc.Message!));
        if (!string.IsNullOrWhiteSpace(form.Phone) && MpiPhones.Normalise(form.Phone).Length == 0)
            fields.Add(new FieldError(nameof(WalkInForm.Phone), "A phone number has at least six digits (as in 09 420 123 456)."));
        if (fields.Count > 0) return Result.Invalid(WalkInError.Invalid, fields);

        var probe = MpiRecord.Create("walk-in", form.Name, birth.Value, form.Sex, form.Nrc, form.Phone, burmeseName: form.BurmeseName);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var patients = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null)
            .Select(p => new { p.MpiNumber, p.FullName, p.BirthDate, p.Sex, p.NationalId, p.Phone }).ToListAsync(ct);
        var pool = patients.Select(p => MpiRecord.Create(p.MpiNumber!, p.FullName, p.BirthDate, p.Sex, p.NationalId, p.Phone));
        var names = patients.ToDictionary(p => p.MpiNumber!, p => (p.FullName, p.BirthDate.Year));
        return matcher.Candidates(probe, pool).Take(MaxShown)
            .Select(m => new WalkInCandidate(m.Right.Id, InitialsOf(names[m.Right.Id].FullName), names[m.Right.Id].Year, m.Outcome, m.Score, m.Fields))
            .ToList();
    }

    /// <summary>"U Aung Kyaw Moe" → "A. K. M.": the name's own initials, honorifics left out.</summary>
    public static string InitialsOf(string fullName)
    {
        var name = MyanmarName.Parse(fullName);
        var words = fullName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var skip = words.Length - name.Syllables.Count;
        return string.Join(" ", words.Skip(Math.Max(0, skip)).Select(w => char.ToUpperInvariant(w[0]) + "."));
    }
}
