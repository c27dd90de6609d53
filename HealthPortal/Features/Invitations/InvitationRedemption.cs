using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Invitations;

public sealed record InvitationDetails(string FacilityId, string FacilityName, FacilityKind FacilityKind, string? Email, DateTimeOffset ExpiresAt, string Role)
{
    public bool IsManager => Role == Roles.FacilityManager;
}

public sealed record NewStaffAccount(string Email, string DisplayName, string Password);

public sealed record RedemptionResult(ApplicationUser? User, IReadOnlyList<string> Errors)
{
    public bool Succeeded => User is not null;
}

/// <summary>
/// Turns an open invitation into a FacilityStaff (or, when an admin invited the facility's manager,
/// FacilityManager) account of the invitation's facility. Used by the static
/// AcceptInvitation page, one request per scope. Marking the invitation used and creating the account
/// commit together, so a link can make exactly one account even when submitted twice at once.
/// </summary>
public sealed class InvitationRedemption(ApplicationDbContext db, UserManager<ApplicationUser> users, TimeProvider clock)
{
    public const string InvalidLink = "This invitation link is not valid any more: it was used, withdrawn or has expired, or the facility is not approved. Ask your facility manager for a new one.";

    public async Task<InvitationDetails?> FindOpenAsync(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;

        var hash = InvitationToken.Hash(token);
        var found = await (
            from invitation in db.StaffInvitations.AsNoTracking()
            where invitation.TokenHash == hash && invitation.UsedAt == null
            join facility in db.Facilities.AsNoTracking() on invitation.FacilityId equals facility.Id
            select new { invitation, facility }).SingleOrDefaultAsync();

        if (found is null || found.invitation.ExpiresAt <= clock.GetUtcNow() || found.facility.Status != FacilityStatus.Approved) return null;
        if (found.invitation.Role is not (Roles.FacilityStaff or Roles.FacilityManager)) return null;
        return new(found.facility.Id, found.facility.Name, found.facility.Kind, found.invitation.Email, found.invitation.ExpiresAt, found.invitation.Role);
    }

    public async Task<RedemptionResult> RedeemAsync(string token, NewStaffAccount account)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();

        var details = await FindOpenAsync(token);
        if (details is null) return new(null, [InvalidLink]);

        var hash = InvitationToken.Hash(token);
        var user = new ApplicationUser
        {
            UserName = account.Email,
            Email = account.Email,
            DisplayName = account.DisplayName.Trim(),
            FacilityId = details.FacilityId,
        };
        var created = await users.CreateAsync(user, account.Password);
        if (!created.Succeeded) return new(null, created.Errors.Select(e => e.Description).ToList());

        var role = await users.AddToRoleAsync(user, details.Role);
        if (!role.Succeeded) return new(null, role.Errors.Select(e => e.Description).ToList());

        var claimed = await db.StaffInvitations
            .Where(i => i.TokenHash == hash && i.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.UsedAt, clock.GetUtcNow()).SetProperty(i => i.UsedByUserId, user.Id));
        if (claimed != 1) return new(null, [InvalidLink]);

        await transaction.CommitAsync();
        return new(user, []);
    }
}
