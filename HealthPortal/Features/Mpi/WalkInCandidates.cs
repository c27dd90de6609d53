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

    /// <summary>The facility's own patient number, when it has one; otherwise the register gives the next W-number.</summary>
    public string Mrn { get; set; } = "";
}

/// <summary>The desk's decision, written in the facility's register: this MRN is the patient with this MPI number.</summary>
public sealed record WalkInRegistered(string Mrn, string Mpi, bool NewNumber);

/// <summary>
/// An existing patient who may be the walk-in. Like the MPI lookup, the desk sees only what confirms a person at the
/// counter (initials and birth year) and which fields agreed or disagreed, never the stored name, NRC or phone: the
/// person in front of staff says those, and the fields' agreement tells staff what to ask.
/// </summary>
public sealed record WalkInCandidate(string Mpi, string Initials, int? BirthYear, MatchOutcome Outcome, double Score, IReadOnlyList<FieldComparison> Fields);

public enum WalkInError
{
    None,
    Forbidden,
    /// <summary>The form cannot be matched: no name, or a value that does not read (its field says which).</summary>
    Invalid,
    /// <summary>The MRN typed is already another patient's in this facility's register.</summary>
    MrnTaken,
}

/// <summary>
/// The walk-in check at the front desk: before a new patient is sent to registration (where the MPI number is issued),
/// the demographics the desk typed are matched against the patients this node holds, and the ones that may be the same
/// person are shown with the fields that agreed and disagreed. Demographics are read from this node's database and
/// compared in memory; nothing of them is written anywhere, least of all to the ledger.
/// </summary>
public sealed class WalkInCandidates(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, CurrentFacility currentFacility, MpiMatcher matcher,
    TimeProvider clock)
{
    /// <summary>The most candidates shown: more than this means the form says too little to tell people apart.</summary>
    public const int MaxShown = 5;

    public async Task<Result<IReadOnlyList<WalkInCandidate>, WalkInError>> FindAsync(ClaimsPrincipal staff, WalkInForm form, CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded || await currentFacility.OfAsync(staff) is null)
            return Result.Fail(WalkInError.Forbidden, "Only staff of a facility can check a walk-in patient.");

        if (Validate(form) is { } refused) return refused;
        var probe = ProbeOf(form);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Registered patients and every facility's register entries (earlier walk-ins, imports), one person per MPI number.
        var people = await MpiPeople.LoadAsync(db, ct);
        return matcher.Candidates(probe, people.Values.Select(p => p.Record)).Take(MaxShown)
            .Select(m => new WalkInCandidate(m.Right.Id, InitialsOf(people[m.Right.Id].FullName), people[m.Right.Id].BirthDate?.Year, m.Outcome, m.Score, m.Fields))
            .ToList();
    }

    /// <summary>The walk-in as the matcher reads it (the form already validated).</summary>
    public static MpiRecord ProbeOf(WalkInForm form) =>
        MpiRecord.Create("walk-in", form.Name, MpiDates.Parse(form.BirthDate).Value, form.Sex, form.Nrc, form.Phone, burmeseName: form.BurmeseName);

    /// <summary>
    /// Writes the desk's decision in the facility's register: with <paramref name="existingMpi"/> ("same person") the
    /// MRN is linked to that patient's MPI number; without it ("new patient") a new MPI number is issued for them. The
    /// demographics typed stay in this node's database as the facility's record of the patient.
    /// </summary>
    public async Task<Result<WalkInRegistered, WalkInError>> RegisterAsync(ClaimsPrincipal staff, WalkInForm form, string? existingMpi, CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded || await currentFacility.OfAsync(staff) is not { } facility)
            return Result.Fail(WalkInError.Forbidden, "Only staff of a facility can register a walk-in patient.");
        if (Validate(form) is { } refused) return refused;
        var mrn = form.Mrn.Trim().ToUpperInvariant();
        if (mrn.Length > 32 || mrn.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '/')))
            return Result.Invalid(WalkInError.Invalid, nameof(WalkInForm.Mrn), "A patient number has at most 32 letters, digits, dashes or slashes.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        string mpi;
        if (existingMpi is not null)
        {
            var people = await MpiPeople.LoadAsync(db, ct);
            var resolved = MpiPeople.Resolve(await MpiPeople.RetiredAsync(db, ct), existingMpi);
            if (!people.ContainsKey(resolved)) return Result.Fail(WalkInError.Invalid, "That MPI number is not a patient this node knows; check again.");
            mpi = resolved;
        }
        else mpi = MpiNumber.NewNumber();
        if (mrn.Length == 0) mrn = await MpiPeople.NextMrnAsync(db, facility.Id, "W", ct);
        else if (await db.Set<MpiRegisterEntry>().AnyAsync(e => e.FacilityId == facility.Id && e.Mrn == mrn, ct))
            return Result.Invalid(WalkInError.MrnTaken, nameof(WalkInForm.Mrn), $"{mrn} is already another patient's number in your register.");

        var nrc = Nrc.Normalise(form.Nrc);
        db.Add(new MpiRegisterEntry
        {
            FacilityId = facility.Id, Mrn = mrn, FullName = form.Name.Trim(), BurmeseName = form.BurmeseName.Trim(),
            BirthDate = MpiDates.Parse(form.BirthDate).Value, Sex = form.Sex, Nrc = nrc ?? "", Phone = form.Phone.Trim(),
            Mpi = mpi, Source = RegisterSource.WalkIn, CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        return new WalkInRegistered(mrn, mpi, existingMpi is null);
    }

    private static Failure<WalkInError>? Validate(WalkInForm form)
    {
        var fields = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(form.Name) && string.IsNullOrWhiteSpace(form.BurmeseName))
            fields.Add(new FieldError(nameof(WalkInForm.Name), "Enter the patient's name (in Latin letters, Myanmar script, or both)."));
        var birth = MpiDates.Parse(form.BirthDate);
        if (!birth.IsOk) fields.Add(new FieldError(nameof(WalkInForm.BirthDate), birth.Message!));
        if (!string.IsNullOrWhiteSpace(form.Nrc) && Nrc.Parse(form.Nrc) is { IsOk: false } nrc)
            fields.Add(new FieldError(nameof(WalkInForm.Nrc), nrc.Message!));
        if (!string.IsNullOrWhiteSpace(form.Phone) && MpiPhones.Normalise(form.Phone).Length == 0)
            fields.Add(new FieldError(nameof(WalkInForm.Phone), "A phone number has at least six digits (as in 09 420 123 456)."));
        return fields.Count > 0 ? Result.Invalid(WalkInError.Invalid, fields) : null;
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
