using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Invitations;

public sealed record OpenInvitation(string Id, string? Email, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Why an invitation was not made or withdrawn.</summary>
public enum InvitationError
{
    None,
    /// <summary>The caller does not manage this facility (or is not an admin, for a manager invitation).</summary>
    Forbidden,
    /// <summary>No such facility, or no open invitation with that id (already used or withdrawn).</summary>
    NotFound,
    /// <summary>A manager invitation for a facility that is not approved.</summary>
    FacilityNotApproved,
    /// <summary>Redeeming a link that was used, withdrawn or has expired, or whose facility is not approved (any more).</summary>
    LinkNotValid,
    /// <summary>Identity refused the new account (a weak password, an address already in use); the fields name which.</summary>
    AccountRefused,
}

/// <summary>A new invitation: its one-time token, and the address its link was mailed to when one was known and valid.</summary>
public sealed record NewInvitation(string Token, string? MailedTo);

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

    /// <summary>A staff invitation; the result is its one-time token (and where it was mailed).</summary>
    /// <param name="requestBase">The page's base URL, for the mailed link when no public base URL is configured (Development).</param>
    public async Task<Result<NewInvitation, InvitationError>> CreateAsync(ClaimsPrincipal manager, string facilityId, string? email, string? requestBase = null)
    {
        if (!await MayManageAsync(manager, facilityId)) return Result.Fail(InvitationError.Forbidden, "You may not invite staff to this facility.");
        return await AddAsync(manager, facilityId, email, Roles.FacilityStaff, requestBase);
    }

    /// <summary>
    /// A consortium admin invites the manager of an approved facility: the person who redeems the link becomes
    /// its FacilityManager and can then invite the staff. A lost link is replaced by a new one, and the new one
    /// revokes every earlier unused manager link of the facility: a link that went astray (a wrong address, a
    /// forwarded mail) must not still make someone the facility's manager once the admin has sent another.
    /// </summary>
    public async Task<Result<NewInvitation, InvitationError>> CreateManagerInvitationAsync(ClaimsPrincipal admin, string facilityId, string? email = null, string? requestBase = null)
    {
        if (!(await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded) return Result.Fail(InvitationError.Forbidden, "Only a consortium admin can invite a facility's first manager.");
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var status = await db.Facilities.Where(f => f.Id == facilityId).Select(f => (FacilityStatus?)f.Status).SingleOrDefaultAsync();
            if (status is null) return Result.Fail(InvitationError.NotFound, "No such facility.");
            if (status != FacilityStatus.Approved) return Result.Fail(InvitationError.FacilityNotApproved, "The facility is not approved.");
        }
        return await AddAsync(admin, facilityId, email, Roles.FacilityManager, requestBase, revokeEarlier: true);
    }

    private async Task<Result<NewInvitation, InvitationError>> AddAsync(ClaimsPrincipal creator, string facilityId, string? email, string role, string? requestBase, bool revokeEarlier = false)
    {
        var token = InvitationToken.New();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync();
        // Revoking and adding in one transaction: there is never a moment with two open manager links, nor none.
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (revokeEarlier)
            await db.StaffInvitations
                .Where(i => i.FacilityId == facilityId && i.Role == role && i.UsedAt == null)
                .ExecuteDeleteAsync();
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
        await transaction.CommitAsync();
        var mailedTo = mails is null ? null : await mails.SendAsync(facilityId, email, role, token, now + Lifetime, requestBase);
        return new NewInvitation(token, mailedTo);
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

    /// <summary>Withdraws an open invitation; the result is its id.</summary>
    public async Task<Result<string, InvitationError>> WithdrawAsync(ClaimsPrincipal manager, string facilityId, string invitationId)
    {
        if (!await MayManageAsync(manager, facilityId)) return Result.Fail(InvitationError.Forbidden, "You may not manage this facility's invitations.");

        await using var db = await dbFactory.CreateDbContextAsync();
        var removed = await db.StaffInvitations
            .Where(i => i.Id == invitationId && i.FacilityId == facilityId && i.UsedAt == null)
            .ExecuteDeleteAsync();
        return removed == 1 ? invitationId : Result.Fail(InvitationError.NotFound, "That invitation was already used or withdrawn.");
    }

    private async Task<bool> MayManageAsync(ClaimsPrincipal manager, string facilityId) =>
        (await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded;
}
