using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Mpi;

/// <summary>Where a pair stands. <see cref="AwaitingPatient"/>: a merge of two numbers on the ledger, waiting for the patient's co-signature (MpiMerges).</summary>
public enum ReviewStatus { Open, Linked, NotAMatch, Merged, AwaitingPatient }

/// <summary>How a pair came to the queue: a scan of the register, an import row, or a patient saying "this is not me".</summary>
public enum ReviewSource { Scan, Import, Dispute }

/// <summary>
/// What a steward decided. <see cref="Link"/>: the same person, and the number a facility issued for them gives way to
/// the registered patient's number (the facility's MRN now points to it). <see cref="Merge"/>: two numbers are one
/// person and the steward chooses the one that survives. <see cref="NotAMatch"/>: two people; remembered so the pair
/// is never proposed again.
/// </summary>
public enum ReviewDecision { Link, NotAMatch, Merge }

/// <summary>A pair of MPI numbers that may be one person, waiting for (or decided by) an MPI steward.</summary>
public sealed class MpiReviewItem
{
    public int Id { get; set; }
    /// <summary>The facility whose stewards work the item; null for items only the consortium admin sees.</summary>
    public string? FacilityId { get; set; }
    /// <summary>The pair in ordinal order, so a pair has one item whichever side was found first.</summary>
    public string LeftMpi { get; set; } = "";
    public string RightMpi { get; set; } = "";
    public double Score { get; set; }
    public MatchOutcome Outcome { get; set; }
    public ReviewSource Source { get; set; }
    /// <summary>What the patient wrote when the item is a dispute; stays in this database.</summary>
    public string? Note { get; set; }
    public ReviewStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The audit trail of the queue: who decided what about which pair, when and why.</summary>
public sealed class MpiDecision
{
    public int Id { get; set; }
    public int ItemId { get; set; }
    public ReviewDecision Decision { get; set; }
    public string? SurvivingMpi { get; set; }
    public string? RetiredMpi { get; set; }
    public string StewardId { get; set; } = "";
    public string StewardName { get; set; } = "";
    /// <summary>The steward's facility; null for the consortium admin.</summary>
    public string? FacilityId { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset DecidedAt { get; set; }
}

public enum StewardError
{
    None,
    /// <summary>Not an MPI steward (a facility's manager or a staff member they named, or the consortium admin).</summary>
    Forbidden,
    NotFound,
    /// <summary>Another steward decided the pair first.</summary>
    AlreadyDecided,
    Invalid,
}

/// <summary>Who is working the queue: a facility's steward (their facility's items) or the consortium admin (<see cref="FacilityId"/> null: all).</summary>
public sealed record StewardScope(string UserId, string Name, string? FacilityId, bool IsManager);

/// <summary>One side of a pair as the steward sees it: the demographics this node holds and where the number is used.</summary>
public sealed record ReviewSide(string Mpi, string FullName, DateOnly? BirthDate, string? Sex, string Nrc, string Phone, string Township,
    bool Registered, IReadOnlyList<(string FacilityId, string Mrn)> Mrns);

public sealed record ReviewView(int Id, ReviewSide Left, ReviewSide Right, double Score, MatchOutcome Outcome, ReviewSource Source,
    string? Note, DateTimeOffset CreatedAt, IReadOnlyList<FieldComparison> Fields);

public sealed record DecisionView(int ItemId, ReviewDecision Decision, string LeftMpi, string RightMpi, string? SurvivingMpi, string StewardName,
    string Reason, DateTimeOffset DecidedAt);

/// <summary>What a scan did: records compared, pairs found, and how many were new to the queue.</summary>
public sealed record ScanSummary(int People, int PairsCompared, int Candidates, int Added);

/// <summary>
/// The MPI steward's review queue. A scan runs the matcher over everyone this node can match (<see cref="MpiPeople"/>)
/// and queues the pairs of different MPI numbers it links or sends to review, unless the pair was queued before (a
/// "not a match" is remembered). Stewards see both records side by side and decide; every decision is written with
/// who, when and why. Everything is in this node's database: the ledger has no transaction for a merge yet (see
/// docs/mpi.md), and no demographic ever goes there.
/// </summary>
public sealed class MpiStewardQueue(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization,
    CurrentFacility currentFacility, MpiMatcher matcher, TimeProvider clock)
{
    public const int MaxReasonLength = 500;

    public async Task<StewardScope?> ScopeAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return null;
        var name = user.Identity?.Name ?? userId;
        if ((await authorization.AuthorizeAsync(user, PortalPolicies.AdminPortal)).Succeeded) return new StewardScope(userId, name, null, false);
        if (!(await authorization.AuthorizeAsync(user, PortalPolicies.FacilityPortal)).Succeeded) return null;
        if (await currentFacility.OfAsync(user) is not { } facility) return null;
        if (user.IsInRole(Roles.FacilityManager)) return new StewardScope(userId, name, facility.Id, true);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Read at each use, never from claims, so a manager's withdrawal takes effect at once.
        return await db.Set<MpiSteward>().AnyAsync(s => s.UserId == userId && s.FacilityId == facility.Id, ct)
            ? new StewardScope(userId, name, facility.Id, false)
            : null;
    }

    public async Task<Result<ScanSummary, StewardError>> ScanAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (await ScopeAsync(user, ct) is not { } scope) return Forbidden();
        return await ScanAsync(scope.FacilityId, ct);
    }

    /// <summary>
    /// The scan itself (also the operator's <c>mpi scan</c>): with a facility, only pairs with at least one number in
    /// that facility's register are queued for it; without one, every pair, for the consortium admin.
    /// </summary>
    public async Task<Result<ScanSummary, StewardError>> ScanAsync(string? facilityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var people = await MpiPeople.LoadAsync(db, ct);
        var index = MpiIndex.Build(people.Values.Select(p => p.Record));
        var names = NameFrequencies.Of(index.Records);
        var queued = (await db.Set<MpiReviewItem>().AsNoTracking().Select(i => new { i.LeftMpi, i.RightMpi }).ToListAsync(ct))
            .Select(i => (i.LeftMpi, i.RightMpi)).ToHashSet();
        int compared = 0, candidates = 0, added = 0;
        foreach (var (i, j) in index.Pairs())
        {
            compared++;
            var match = matcher.Compare(index.Records[i], index.Records[j], names);
            if (match.Outcome == MatchOutcome.NoMatch) continue;
            var (left, right) = Ordered(match.Left.Id, match.Right.Id);
            var owner = facilityId ?? FacilityOf(people[left]) ?? FacilityOf(people[right]);
            if (facilityId is not null && !InRegister(people[left], facilityId) && !InRegister(people[right], facilityId)) continue;
            candidates++;
            if (!queued.Add((left, right))) continue;
            db.Add(new MpiReviewItem
            {
                FacilityId = owner, LeftMpi = left, RightMpi = right, Score = Math.Round(match.Score, 2), Outcome = match.Outcome,
                Source = ReviewSource.Scan, Status = ReviewStatus.Open, CreatedAt = clock.GetUtcNow(),
            });
            added++;
        }
        await db.SaveChangesAsync(ct);
        return new ScanSummary(people.Count, compared, candidates, added);
    }

    /// <summary>Queues one pair found outside a scan (an import row the matcher sent to review); an existing item for the pair is kept.</summary>
    public static async Task<bool> EnqueueAsync(ApplicationDbContext db, string facilityId, MpiMatch match, ReviewSource source, DateTimeOffset now, CancellationToken ct)
    {
        var (left, right) = Ordered(match.Left.Id, match.Right.Id);
        if (left == right || await db.Set<MpiReviewItem>().AnyAsync(i => i.LeftMpi == left && i.RightMpi == right, ct)) return false;
        db.Add(new MpiReviewItem
        {
            FacilityId = facilityId, LeftMpi = left, RightMpi = right, Score = Math.Round(match.Score, 2), Outcome = match.Outcome,
            Source = source, Status = ReviewStatus.Open, CreatedAt = now,
        });
        return true;
    }

    public async Task<Result<IReadOnlyList<ReviewView>, StewardError>> OpenAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (await ScopeAsync(user, ct) is not { } scope) return Forbidden();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var items = await Visible(db, scope).Where(i => i.Status == ReviewStatus.Open).OrderBy(i => i.Id).ToListAsync(ct);
        var people = await MpiPeople.LoadAsync(db, ct);
        var retired = await MpiPeople.RetiredAsync(db, ct);
        var views = new List<ReviewView>();
        foreach (var item in items)
        {
            // A number merged since the item was queued is shown as its survivor; both sides may now be one number.
            var left = people.GetValueOrDefault(MpiPeople.Resolve(retired, item.LeftMpi));
            var right = people.GetValueOrDefault(MpiPeople.Resolve(retired, item.RightMpi));
            if (left is null || right is null) continue;
            var match = matcher.Compare(left.Record, right.Record);
            views.Add(new ReviewView(item.Id, SideOf(left), SideOf(right), item.Score, item.Outcome, item.Source, item.Note, item.CreatedAt, match.Fields));
        }
        return views;
    }

    public async Task<Result<IReadOnlyList<DecisionView>, StewardError>> HistoryAsync(ClaimsPrincipal user, int take = 20, CancellationToken ct = default)
    {
        if (await ScopeAsync(user, ct) is not { } scope) return Forbidden();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = Visible(db, scope);
        var rows = await (from d in db.Set<MpiDecision>().AsNoTracking()
                          join i in visible on d.ItemId equals i.Id
                          orderby d.Id descending
                          select new DecisionView(d.ItemId, d.Decision, i.LeftMpi, i.RightMpi, d.SurvivingMpi, d.StewardName, d.Reason, d.DecidedAt))
            .Take(take).ToListAsync(ct);
        return rows;
    }

    /// <summary>
    /// Decides an open item. <paramref name="survivingMpi"/> is needed for a merge (one of the pair); a link keeps the
    /// registered patient's number (or the older one when neither or both are registered). The reason is required.
    /// </summary>
    public async Task<Result<ReviewStatus, StewardError>> DecideAsync(ClaimsPrincipal user, int itemId, ReviewDecision decision, string? reason,
        string? survivingMpi = null, CancellationToken ct = default)
    {
        if (await ScopeAsync(user, ct) is not { } scope) return Forbidden();
        var why = (reason ?? "").Trim();
        if (why.Length < 3)
            return Result.Invalid(StewardError.Invalid, "Reason", "Say why (what you checked), so the decision can be understood later.");
        if (why.Length > MaxReasonLength)
            return Result.Invalid(StewardError.Invalid, "Reason", $"Keep the reason to {MaxReasonLength} characters; this has {why.Length}.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var item = await Visible(db, scope, tracking: true).SingleOrDefaultAsync(i => i.Id == itemId, ct);
        if (item is null) return Result.Fail(StewardError.NotFound, "This pair is not in your queue.");
        if (item.Status != ReviewStatus.Open) return Result.Fail(StewardError.AlreadyDecided, "Another steward has already decided this pair.");

        var retired = await MpiPeople.RetiredAsync(db, ct);
        var left = MpiPeople.Resolve(retired, item.LeftMpi);
        var right = MpiPeople.Resolve(retired, item.RightMpi);
        var record = new MpiDecision
        {
            ItemId = item.Id, Decision = decision, StewardId = scope.UserId, StewardName = scope.Name, FacilityId = scope.FacilityId,
            Reason = why, DecidedAt = clock.GetUtcNow(),
        };
        string? survivor = null;
        switch (decision)
        {
            case ReviewDecision.NotAMatch:
                item.Status = ReviewStatus.NotAMatch;
                break;
            case ReviewDecision.Merge:
                if (survivingMpi is null || (survivingMpi != left && survivingMpi != right))
                    return Result.Fail(StewardError.Invalid, "Choose which of the two MPI numbers survives the merge.");
                survivor = survivingMpi;
                item.Status = ReviewStatus.Merged;
                break;
            case ReviewDecision.Link:
                var people = await MpiPeople.LoadAsync(db, ct);
                var leftRegistered = people.GetValueOrDefault(left)?.Registered ?? false;
                var rightRegistered = people.GetValueOrDefault(right)?.Registered ?? false;
                survivor = leftRegistered == rightRegistered ? await OlderAsync(db, left, right, ct) : leftRegistered ? left : right;
                item.Status = ReviewStatus.Linked;
                break;
            default:
                return Result.Fail(StewardError.Invalid, "Choose link, not a match or merge.");
        }
        var gone = survivor is null ? null : survivor == left ? right : left;
        record.SurvivingMpi = survivor;
        record.RetiredMpi = gone == survivor ? null : gone;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Add(record);
        try
        {
            // The item's status is a concurrency token: of two stewards deciding at once, the second is refused here.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result.Fail(StewardError.AlreadyDecided, "Another steward has already decided this pair.");
        }
        if (record.RetiredMpi is { } retiring)
        {
            db.Add(new MpiRetiredNumber { RetiredMpi = retiring, SurvivingMpi = survivor!, DecisionId = record.Id, RetiredAt = record.DecidedAt });
            // The facilities' MRNs that named the retired number now name the survivor.
            foreach (var entry in await db.Set<MpiRegisterEntry>().Where(e => e.Mpi == retiring).ToListAsync(ct)) entry.Mpi = survivor!;
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return item.Status;
    }

    /// <summary>Staff of the manager's facility and whether each is an MPI steward.</summary>
    public async Task<Result<IReadOnlyList<(string UserId, string Name, bool Steward)>, StewardError>> StewardsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (await ScopeAsync(user, ct) is not { IsManager: true, FacilityId: { } facilityId })
            return Result.Fail(StewardError.Forbidden, "Only the facility's manager names its MPI stewards.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stewards = await db.Set<MpiSteward>().Where(s => s.FacilityId == facilityId).Select(s => s.UserId).ToListAsync(ct);
        var staffRole = await db.Roles.Where(r => r.Name == Roles.FacilityStaff).Select(r => r.Id).SingleOrDefaultAsync(ct);
        var staff = await (from u in db.Users
                           join ur in db.UserRoles on u.Id equals ur.UserId
                           where u.FacilityId == facilityId && ur.RoleId == staffRole
                           orderby u.DisplayName
                           select new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct);
        return staff.Select(s => (s.Id, s.DisplayName.Length > 0 ? s.DisplayName : s.Email ?? s.Id, stewards.Contains(s.Id))).ToList();
    }

    public async Task<Result<bool, StewardError>> SetStewardAsync(ClaimsPrincipal user, string staffId, bool steward, CancellationToken ct = default)
    {
        if (await ScopeAsync(user, ct) is not { IsManager: true, FacilityId: { } facilityId } scope)
            return Result.Fail(StewardError.Forbidden, "Only the facility's manager names its MPI stewards.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Users.AnyAsync(u => u.Id == staffId && u.FacilityId == facilityId, ct))
            return Result.Fail(StewardError.NotFound, "This person is not on your facility's staff.");
        var existing = await db.Set<MpiSteward>().SingleOrDefaultAsync(s => s.UserId == staffId && s.FacilityId == facilityId, ct);
        if (steward && existing is null)
            db.Add(new MpiSteward { UserId = staffId, FacilityId = facilityId, GrantedBy = scope.UserId, GrantedAt = clock.GetUtcNow() });
        else if (!steward && existing is not null)
            db.Remove(existing);
        await db.SaveChangesAsync(ct);
        return steward;
    }

    private static IQueryable<MpiReviewItem> Visible(ApplicationDbContext db, StewardScope scope, bool tracking = false)
    {
        var items = tracking ? db.Set<MpiReviewItem>() : db.Set<MpiReviewItem>().AsNoTracking();
        return scope.FacilityId is null ? items : items.Where(i => i.FacilityId == scope.FacilityId);
    }

    // The number in use longer keeps it: the first register entry's or, failing that, ordinal order (stable, if arbitrary).
    private static async Task<string> OlderAsync(ApplicationDbContext db, string a, string b, CancellationToken ct)
    {
        // Ids grow with insertion, so the lowest is the first registered (SQLite cannot order by DateTimeOffset).
        var first = await db.Set<MpiRegisterEntry>().Where(e => e.Mpi == a || e.Mpi == b).OrderBy(e => e.Id)
            .Select(e => e.Mpi).FirstOrDefaultAsync(ct);
        return first ?? (string.CompareOrdinal(a, b) <= 0 ? a : b);
    }

    private static string? FacilityOf(RegisterPerson person) => person.Mrns.Count > 0 ? person.Mrns[0].FacilityId : null;

    private static bool InRegister(RegisterPerson person, string facilityId) => person.Mrns.Any(m => m.FacilityId == facilityId);

    private static (string, string) Ordered(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);

    private static ReviewSide SideOf(RegisterPerson p) =>
        new(p.Mpi, p.FullName, p.BirthDate, p.Sex?.ToString(), p.Nrc, p.Phone, p.Township, p.Registered, p.Mrns);

    private static Failure<StewardError> Forbidden() =>
        Result.Fail(StewardError.Forbidden, "Only an MPI steward (a facility's manager, staff they name, or the consortium admin) works the review queue.");
}
