using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Invitations;

public sealed record OpenInvitation(string Id, string? Email, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public enum InvitationOutcome { Created, Withdrawn, Forbidden, NotFound, FacilityNotApproved }

/// <param name="MailedTo">The address the link was mailed to, when one was known and valid.</param>
public sealed record InvitationResult(InvitationOutcome Outcome, string? Token = null, string? MailedTo = null);

/// <summary>
/// A facility manager's invitations for new staff of their own facility, and a consortium admin's invitation of
/// a newly approved facility's first manager. Every call is authorized here (against
/// <see cref="PortalPolicies.FacilityManagement"/> with the facility as resource, or
/// <see cref="PortalPolicies.AdminPortal"/>), whatever the page showed.
/// </summary>
public sealed class StaffInvitations(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IAuthorizationService authorization,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<InvitationOptions>? options = null,
    InvitationMails? mails = null)
{
    /// <summary>How long a new invitation can be redeemed (<see cref="InvitationOptions"/>).</summary>
    public TimeSpan Lifetime { get; } = (options?.Value ?? new()).Lifetime;

    /// <param name="requestBase">The page's base URL, for the mailed link when no public base URL is configured (Development).</param>
    public async Task<InvitationResult> CreateAsync(ClaimsPrincipal manager, string facilityId, string? email, string? requestBase = null)
    {
        if (!await MayManageAsync(manager, facilityId)) return new(InvitationOutcome.Forbidden);
        return await AddAsync(manager, facilityId, email, Roles.FacilityStaff, requestBase);
    }

    /// <summary>
    /// A consortium admin invites the manager of an approved facility: the person who redeems the link becomes
    /// its FacilityManager and can then invite the staff. Several may be made (a lost link is replaced by a new
    /// one); each works once.
    /// </summary>
    public async Task<InvitationResult> CreateManagerInvitationAsync(ClaimsPrincipal admin, string facilityId, string? email = null, string? requestBase = null)
    {
        if (!(await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded) return new(InvitationOutcome.Forbidden);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var status = await db.Facilities.Where(f => f.Id == facilityId).Select(f => (FacilityStatus?)f.Status).SingleOrDefaultAsync();
            if (status is null) return new(InvitationOutcome.NotFound);
            if (status != FacilityStatus.Approved) return new(InvitationOutcome.FacilityNotApproved);
        }
        return await AddAsync(admin, facilityId, email, Roles.FacilityManager, requestBase);
    }

    private async Task<InvitationResult> AddAsync(ClaimsPrincipal creator, string facilityId, string? email, string role, string? requestBase)
    {
        var token = InvitationToken.New();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync();
        db.StaffInvitations.Add(new StaffInvitation
        {
            FacilityId = facilityId,
            TokenHash = InvitationToken.Hash(token),
            Role = role,
            Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim(),
            CreatedByUserId = creator.FindFirstValue(ClaimTypes.NameIdentifier)!,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        });
        await db.SaveChangesAsync();
        var mailedTo = mails is null ? null : await mails.SendAsync(facilityId, email, role, token, now + Lifetime, requestBase);
        return new(InvitationOutcome.Created, token, mailedTo);
    }

    public async Task<IReadOnlyList<OpenInvitation>> ListOpenAsync(ClaimsPrincipal manager, string facilityId)
    {
        if (!await MayManageAsync(manager, facilityId)) return [];

        await using var db = await dbFactory.CreateDbContextAsync();
        var invitations = await db.StaffInvitations.AsNoTracking()
            .Where(i => i.FacilityId == facilityId && i.UsedAt == null)
            .ToListAsync();
        // SQLite cannot compare DateTimeOffset columns, so expiry is filtered here.
        var now = clock.GetUtcNow();
        return invitations.Where(i => i.ExpiresAt > now)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new OpenInvitation(i.Id, i.Email, i.CreatedAt, i.ExpiresAt))
            .ToList();
    }

    public async Task<InvitationResult> WithdrawAsync(ClaimsPrincipal manager, string facilityId, string invitationId)
    {
        if (!await MayManageAsync(manager, facilityId)) return new(InvitationOutcome.Forbidden);

        await using var db = await dbFactory.CreateDbContextAsync();
        var removed = await db.StaffInvitations
            .Where(i => i.Id == invitationId && i.FacilityId == facilityId && i.UsedAt == null)
            .ExecuteDeleteAsync();
        return new(removed == 1 ? InvitationOutcome.Withdrawn : InvitationOutcome.NotFound);
    }

    private async Task<bool> MayManageAsync(ClaimsPrincipal manager, string facilityId) =>
        (await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded;
}
