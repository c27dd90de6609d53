using HealthPortal.Ledger.Text;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Grants;

/// <summary>What staff fill in to ask a patient for access.</summary>
public sealed class AccessRequestInput
{
    public HashSet<string> Kinds { get; set; } = [];
    public string? Purpose { get; set; } = GrantPurposes.Treatment;
    public int DurationDays { get; set; } = 30;
    public string? Message { get; set; }

    public const int MaxMessageLength = 500;
}

/// <summary>Why an access-request operation did not happen.</summary>
public enum AccessRequestError
{
    None,
    /// <summary>The caller is not staff of the facility it acts for, or may not share for the person they act for now.</summary>
    Forbidden,
    /// <summary>No such request of the caller's (facility's or own): the two are not told apart.</summary>
    NotFound,
    /// <summary>The MPI number is not a patient registered on the network.</summary>
    UnknownPatient,
    /// <summary>The form is incomplete or out of range (kinds, purpose, days, message or reason text).</summary>
    Invalid,
    /// <summary>The request was already answered or cancelled.</summary>
    NotPending,
}

/// <summary>
/// Facilities ask patients for access; patients decline (approving is signing a grant, see
/// <see cref="PatientGrants.IssueAsync"/>). Authorization is per resource: staff act only for their own approved
/// facility (<see cref="PortalPolicies.FacilityPortal"/> with a <see cref="FacilityScope"/>), patients only on requests
/// for their own MPI (<see cref="PortalPolicies.PatientOfMpi"/>).
/// </summary>
public sealed class AccessRequests(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger,
    AccessRequestNotifier notifier, TimeProvider clock, HealthPortal.Features.ActingFor.DelegateAccess? delegates = null)
{
    private readonly SharingSubjects _subjects = new(dbFactory, authorization, ledger, delegates);

    // ---- facility staff ------------------------------------------------------------------------------------

    /// <summary>Staff of <paramref name="facilityId"/> ask the patient of <paramref name="mpi"/> for access.</summary>
    public async Task<Result<AccessRequestView, AccessRequestError>> CreateAsync(ClaimsPrincipal staff, string facilityId, string mpi, AccessRequestInput input)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return Result.Fail(AccessRequestError.Forbidden, "Only staff of this facility can ask for access on its behalf.");
        mpi = mpi.Trim().ToUpperInvariant();
        if (ledger.Reader.Patient(mpi) is null) return Result.Fail(AccessRequestError.UnknownPatient, $"No patient with MPI number {mpi} is registered on the network.");
        if (input.Kinds.Count == 0 || input.Kinds.Any(k => k != Categories.All && !RecordKinds.IsKnown(k))) return Result.Fail(AccessRequestError.Invalid, "Choose at least one kind of record.");
        if (input.Purpose is null || !GrantPurposes.All.Contains(input.Purpose) || input.Purpose == GrantPurposes.Other)
            return Result.Fail(AccessRequestError.Invalid, "Choose what the access is for.");
        var maxDays = ledger.Engine.Genesis.Parameters.MaxGrantDays;
        if (input.DurationDays < 1 || input.DurationDays > maxDays) return Result.Fail(AccessRequestError.Invalid, $"Ask for between 1 and {maxDays} days.");
        var message = string.IsNullOrWhiteSpace(input.Message) ? null : input.Message.Trim();
        if (message?.Length > AccessRequestInput.MaxMessageLength) return Result.Fail(AccessRequestError.Invalid, $"Keep the message to {AccessRequestInput.MaxMessageLength} characters.");
        if (message is not null && SafeText.Check(message, multiline: true) is { } problem) return Result.Fail(AccessRequestError.Invalid, $"The message cannot be sent: {problem}.");

        var kinds = new GrantInput { Kinds = input.Kinds }.LedgerCategories();
        var request = new AccessRequest
        {
            Mpi = mpi, FacilityId = facilityId, RequestedByUserId = staff.FindFirstValue(ClaimTypes.NameIdentifier)!,
            Categories = string.Join(' ', kinds), Purpose = input.Purpose, DurationDays = input.DurationDays, Message = message,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var db = await dbFactory.CreateDbContextAsync();
        db.AccessRequests.Add(request);
        await db.SaveChangesAsync();
        notifier.Raise(mpi);
        return (await ViewsAsync(db, db.AccessRequests.Where(r => r.Id == request.Id))).Single();
    }

    /// <summary>The requests <paramref name="facilityId"/> made for <paramref name="mpi"/>, newest first; empty for anyone else.</summary>
    public async Task<IReadOnlyList<AccessRequestView>> OfFacilityAsync(ClaimsPrincipal staff, string facilityId, string mpi)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        return await ViewsAsync(db, db.AccessRequests.Where(r => r.FacilityId == facilityId && r.Mpi == mpi));
    }

    /// <summary>Withdraws a pending request; only staff of the facility that made it may.</summary>
    public async Task<Result<AccessRequestView, AccessRequestError>> CancelAsync(ClaimsPrincipal staff, string requestId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var request = await db.AccessRequests.SingleOrDefaultAsync(r => r.Id == requestId);
        if (request is null || !await IsStaffOfAsync(staff, request.FacilityId)) return Result.Fail(AccessRequestError.NotFound, "No such request of your facility.");
        if (request.Status != AccessRequestStatus.Pending) return Result.Fail(AccessRequestError.NotPending, $"The request is already {request.Status.ToString().ToLowerInvariant()}.");
        request.Status = AccessRequestStatus.Cancelled;
        request.DecidedAt = clock.GetUtcNow();
        await db.SaveChangesAsync();
        notifier.Raise(request.Mpi);
        return (await ViewsAsync(db, db.AccessRequests.Where(r => r.Id == requestId))).Single();
    }

    // ---- the patient ---------------------------------------------------------------------------------------

    /// <summary>How many requests wait for the signed-in patient (0 for anyone else).</summary>
    public async Task<int> PendingCountAsync(ClaimsPrincipal patient)
    {
        if (await MpiOfAsync(patient) is not { } mpi) return 0;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.AccessRequests.CountAsync(r => r.Mpi == mpi && r.Status == AccessRequestStatus.Pending);
    }

    /// <summary>One request, for the patient it concerns only (the approve form is prefilled from it).</summary>
    public async Task<AccessRequestView?> FindForPatientAsync(ClaimsPrincipal patient, string requestId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var mpi = await db.AccessRequests.Where(r => r.Id == requestId).Select(r => r.Mpi).SingleOrDefaultAsync();
        if (mpi is null || !await IsPatientOfAsync(patient, mpi)) return null;
        return (await ViewsAsync(db, db.AccessRequests.Where(r => r.Id == requestId))).Single();
    }

    /// <summary>
    /// The patient declines a pending request, optionally saying why. With <paramref name="forMpi"/> (issue 14), a
    /// delegate declines for the person they act for: the request must be that person's and the delegation must allow
    /// sharing now (<see cref="AccessRequestError.Forbidden"/> with the reason otherwise).
    /// </summary>
    public async Task<Result<AccessRequestView, AccessRequestError>> DeclineAsync(ClaimsPrincipal patient, string requestId, string? reason, string? forMpi = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var request = await db.AccessRequests.SingleOrDefaultAsync(r => r.Id == requestId);
        if (forMpi is not null)
        {
            var subject = await _subjects.SubjectAsync(patient, forMpi);
            if (!subject.IsOk) return Result.Fail(AccessRequestError.Forbidden, subject.Message!);
            if (request is null || request.Mpi != subject.Value!.Mpi)
                return Result.Fail(AccessRequestError.NotFound, subject.Value!.IsSelf ? "That access request is not one of yours." : GrantWords.Format("NotTheirRequest", subject.Value.Name));
        }
        else if (request is null || !await IsPatientOfAsync(patient, request.Mpi)) return Result.Fail(AccessRequestError.NotFound, "That access request is not one of yours.");
        if (request.Status != AccessRequestStatus.Pending) return Result.Fail(AccessRequestError.NotPending, $"That access request is already {request.Status.ToString().ToLowerInvariant()}.");
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason?.Length > 500) return Result.Fail(AccessRequestError.Invalid, "Keep the reason to 500 characters.");
        if (reason is not null && SafeText.Check(reason, multiline: true) is { } problem) return Result.Fail(AccessRequestError.Invalid, $"The reason cannot be saved: {problem}.");
        request.Status = AccessRequestStatus.Declined;
        request.DeclineReason = reason;
        request.DecidedAt = clock.GetUtcNow();
        await db.SaveChangesAsync();
        notifier.Raise(request.Mpi);
        return (await ViewsAsync(db, db.AccessRequests.Where(r => r.Id == requestId))).Single();
    }

    /// <summary>A grant form prefilled from a request: its facility, kinds and purpose, from now for its duration.</summary>
    public static GrantInput Prefill(AccessRequestView request, DateTimeOffset now) => new()
    {
        FacilityId = request.FacilityId,
        Kinds = [.. request.Categories],
        Purpose = GrantPurposes.All.Contains(request.Purpose) ? request.Purpose : GrantPurposes.Treatment,
        Start = now.UtcDateTime,
        End = now.UtcDateTime.AddDays(request.DurationDays),
        RequestId = request.Id,
    };

    // ---- helpers -------------------------------------------------------------------------------------------

    private async Task<bool> IsStaffOfAsync(ClaimsPrincipal staff, string facilityId)
        => (await authorization.AuthorizeAsync(staff, new FacilityScope(facilityId), PortalPolicies.FacilityPortal)).Succeeded;

    private async Task<bool> IsPatientOfAsync(ClaimsPrincipal patient, string mpi)
        => (await authorization.AuthorizeAsync(patient, new PatientScope(mpi), PortalPolicies.PatientOfMpi)).Succeeded;

    private async Task<string?> MpiOfAsync(ClaimsPrincipal patient)
    {
        var userId = patient.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        var mpi = await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
        return mpi is not null && await IsPatientOfAsync(patient, mpi) ? mpi : null;
    }

    internal static async Task<IReadOnlyList<AccessRequestView>> ViewsAsync(ApplicationDbContext db, IQueryable<AccessRequest> query)
    {
        var rows = await (
            from r in query.AsNoTracking()
            join f in db.Facilities.AsNoTracking() on r.FacilityId equals f.Id
            select new { r, f.Name }).ToListAsync();
        return [.. rows.OrderByDescending(x => x.r.CreatedAt).Select(x => new AccessRequestView(
            x.r.Id, x.r.Mpi, x.r.FacilityId, x.Name, x.r.CategoryList, x.r.Purpose, x.r.DurationDays, x.r.Message, x.r.Status,
            x.r.CreatedAt, x.r.DecidedAt, x.r.DeclineReason, x.r.GrantId, x.r.GrantHeight))];
    }
}
