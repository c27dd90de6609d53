using System.Globalization;
using System.Security.Claims;
using System.Text;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Pseudonyms;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.FacilityPortal;

/// <summary>One of the facility's own patients as the desk search lists them (their demographics are on this node).</summary>
public sealed record PatientMatch(string Mpi, string FullName, DateOnly BirthDate, string NationalId);

/// <summary>A patient the staff member opened recently, newest first; the name only when they are one of the facility's own patients here.</summary>
public sealed record RecentPatient(string Mpi, string? FullName, DateOnly? BirthDate, DateTimeOffset OpenedAt);

/// <summary>What a search looked for, as the page says it back and as the audit trail records it.</summary>
public enum PatientQueryKind { Name, BirthDate, Nrc }

/// <summary>The answer to a desk search: at most <see cref="PatientSearch.MaxResults"/> matches and whether there were more.</summary>
public sealed record PatientSearchResult(PatientQueryKind Kind, IReadOnlyList<PatientMatch> Matches, bool More);

/// <summary>
/// The desk's search among the facility's own patients — those it holds records of (its EHR store), anchored on the
/// ledger, or sent for co-signature — by name (case- and accent-insensitive, any part), date of birth or NRC number.
/// Demographics never leave the node that holds them, so a patient whose account is at another node is found here
/// by MPI number only (<see cref="FacilityPatients"/>). Unlike the MPI lookup, which needs no relationship and so shows
/// only initials, a search answers with names: it reaches only patients the facility already treats. Every search is
/// written to the facility's desk audit trail (what was searched for and how many were found), and opening a patient
/// from the results is a desk lookup the patient sees.
/// </summary>
public sealed class PatientSearch(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, CurrentFacility currentFacility, LedgerHost ledger,
    FacilityAuditTrail audit, StaffPseudonyms pseudonyms, EhrStores? stores = null)
{
    /// <summary>Results shown at once; more means the staff member should type more.</summary>
    public const int MaxResults = 20;

    /// <summary>Shortest name query: two letters already narrow a facility's list; one would list it.</summary>
    public const int MinNameLength = 2;

    /// <summary>Recent patients shown per staff member.</summary>
    public const int RecentCount = 8;

    /// <summary>The longest query accepted (a full name with spaces); longer is not a name anyone types.</summary>
    public const int MaxQueryLength = 100;

    /// <summary>What kind of query <paramref name="query"/> is: an NRC number, a date of birth or a name; null with the reason when it is none.</summary>
    public static (PatientQueryKind Kind, string Value)? Classify(string? query, out string error)
    {
        var text = (query ?? "").Trim();
        error = "";
        if (text.Length > MaxQueryLength) { error = DeskWords.Format("SearchTooLong", MaxQueryLength); return null; }
        if (Nrc.LooksLikeNrc(text))
        {
            var nrc = Nrc.Parse(text);
            if (nrc.IsOk) return (PatientQueryKind.Nrc, nrc.Value!.ToString());
            error = nrc.Message!;
            return null;
        }
        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            // Read as every date field reads it: day first (03/04/1985 is 3 April), ISO accepted, and a month-first or
            // impossible date refused with its reason rather than turned round into another patient's birthday.
            var reading = Times.DayFirstDates.Read(text);
            if (reading.Date is { } date)
                return (PatientQueryKind.BirthDate, DateOnly.FromDateTime(date).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            error = DeskWords.Format("SearchBadDate", reading.Problem);
            return null;
        }
        var folded = Fold(text);
        if (folded.Count(char.IsLetter) < MinNameLength) { error = DeskWords.Format("SearchTooShort", MinNameLength); return null; }
        return (PatientQueryKind.Name, folded);
    }

    /// <summary>
    /// A name as compared: lower case, accents dropped from Latin letters ("Thảo" → "thao"; Myanmar script keeps its
    /// vowel signs, which are letters there, not accents), runs of spaces as one.
    /// </summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        var lastBase = '\0';
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                if (lastBase < '\u0250') continue; // a diacritic on a Latin letter
                builder.Append(c);
                continue;
            }
            lastBase = c;
            if (char.IsWhiteSpace(c) || c is '.' or ',' or '-')
            {
                if (builder.Length > 0 && builder[^1] != ' ') builder.Append(' ');
                continue;
            }
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString().Trim().Normalize(NormalizationForm.FormC);
    }

    /// <summary>Whether every word of the query is part of the name (so "aye mon" and "mon aye" both find Aye Aye Mon).</summary>
    public static bool NameMatches(string foldedQuery, string fullName)
    {
        var name = Fold(fullName);
        return foldedQuery.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(word => name.Contains(word, StringComparison.Ordinal));
    }

    /// <summary>Searches the caller's facility's own patients; the search is audited before anything is shown.</summary>
    public async Task<Result<PatientSearchResult, LookupError>> SearchAsync(ClaimsPrincipal staff, string? query, CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded)
            return Result.Fail(LookupError.Forbidden, DeskWords.Text("SearchNotStaff"));
        var userId = staff.FindFirstValue(ClaimTypes.NameIdentifier);
        var facility = await currentFacility.OfAsync(staff);
        if (userId is null || facility is null) return Result.Fail(LookupError.Forbidden, DeskWords.Text("SearchNotFacilityStaff"));
        if (Classify(query, out var error) is not { } classified) return Result.Fail(LookupError.NotASearch, error);

        var own = await OwnPatientsAsync(facility, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null && own.Contains(p.MpiNumber));
        List<PatientMatch> matches;
        switch (classified.Kind)
        {
            case PatientQueryKind.BirthDate:
                var date = DateOnly.ParseExact(classified.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                matches = await candidates.Where(p => p.BirthDate == date).OrderBy(p => p.FullName).Take(MaxResults + 1)
                    .Select(p => new PatientMatch(p.MpiNumber!, p.FullName, p.BirthDate, p.NationalId)).ToListAsync(ct);
                break;
            default:
                // Accent folding and NRC spellings are not SQLite's: compare in memory. The facility's own patients with a
                // profile on this node are the bound (their MPI numbers are already in memory above).
                var all = await candidates.Select(p => new PatientMatch(p.MpiNumber!, p.FullName, p.BirthDate, p.NationalId)).ToListAsync(ct);
                matches = all.Where(p => classified.Kind == PatientQueryKind.Nrc
                        ? Nrc.Normalise(p.NationalId) == classified.Value
                        : NameMatches(classified.Value, p.FullName))
                    .OrderBy(p => p.FullName, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Mpi, StringComparer.Ordinal)
                    .Take(MaxResults + 1).ToList();
                break;
        }

        await audit.RecordAsync(new FacilityAuditEntry
        {
            Kind = FacilityAuditKind.DeskSearch, FacilityId = facility.Id, UserId = userId, StaffPseudonym = pseudonyms.Of(userId),
            Mpi = matches.Count == 1 ? matches[0].Mpi : null,
            Outcome = matches.Count > 0 ? FacilityAuditOutcome.Found : FacilityAuditOutcome.NotFound,
            Target = Truncate($"{classified.Kind}: {(query ?? "").Trim()} → {Math.Min(matches.Count, MaxResults)}{(matches.Count > MaxResults ? "+" : "")} found", 400),
        }, ct);
        return new PatientSearchResult(classified.Kind, matches.Take(MaxResults).ToList(), matches.Count > MaxResults);
    }

    /// <summary>The patients the caller opened at the desk lately (found lookups), newest first, at most <see cref="RecentCount"/>.</summary>
    public async Task<IReadOnlyList<RecentPatient>> RecentAsync(ClaimsPrincipal staff, CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded) return [];
        var userId = staff.FindFirstValue(ClaimTypes.NameIdentifier);
        var facility = await currentFacility.OfAsync(staff);
        if (userId is null || facility is null) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The trail is this staff member's own; the newest few hundred lines hold the last handful of patients.
        var lines = await db.FacilityAudit.AsNoTracking()
            .Where(e => e.UserId == userId && e.FacilityId == facility.Id && e.Kind == FacilityAuditKind.DeskLookup
                && e.Outcome == FacilityAuditOutcome.Found && e.Mpi != null)
            .OrderByDescending(e => e.AtMs).ThenByDescending(e => e.Id).Take(300).Select(e => new { e.Mpi, e.AtMs }).ToListAsync(ct);
        var recent = lines.GroupBy(l => l.Mpi!).Select(g => (Mpi: g.Key, At: g.Max(l => l.AtMs))).OrderByDescending(r => r.At).Take(RecentCount).ToList();
        if (recent.Count == 0) return [];
        var own = await OwnPatientsAsync(facility, ct);
        var mpis = recent.Select(r => r.Mpi).Where(own.Contains).ToList();
        var profiles = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null && mpis.Contains(p.MpiNumber))
            .ToDictionaryAsync(p => p.MpiNumber!, p => (p.FullName, p.BirthDate), ct);
        return recent.Select(r => profiles.TryGetValue(r.Mpi, out var p)
                ? new RecentPatient(r.Mpi, p.FullName, p.BirthDate, DateTimeOffset.FromUnixTimeMilliseconds(r.At))
                : new RecentPatient(r.Mpi, null, null, DateTimeOffset.FromUnixTimeMilliseconds(r.At)))
            .ToList();
    }

    /// <summary>The facility's own patients: in its EHR store, anchored by its node on the ledger, or sent for co-signature.</summary>
    private async Task<HashSet<string>> OwnPatientsAsync(HealthFacility facility, CancellationToken ct)
    {
        var own = new HashSet<string>(StringComparer.Ordinal);
        if (stores?.Find(facility.Id) is { } store)
        {
            try { own.UnionWith(await store.PatientMpisAsync(ct)); }
            catch (Microsoft.Data.Sqlite.SqliteException) { } // an unreadable store: the ledger and the saves below still name its patients
        }
        if (facility.NodeKeyId is { } node) own.UnionWith(ledger.Reader.RecordsOfFacility(node, 100_000).Select(r => r.Mpi));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        own.UnionWith(await db.AnchorConfirmations.AsNoTracking().Where(c => c.FacilityId == facility.Id).Select(c => c.Mpi).Distinct().ToListAsync(ct));
        return own;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
