using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Outcomes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Invitations;

public sealed record InvitationDetails(string FacilityId, string FacilityName, FacilityKind FacilityKind, string? Email, DateTimeOffset ExpiresAt, string Role)
{
    public bool IsManager => Role == Roles.FacilityManager;
}

public sealed record NewStaffAccount(string Email, string DisplayName, string Password);

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

    /// <summary>
    /// Creates the account and uses up the invitation, both or neither: the new user, or
    /// <see cref="InvitationError.LinkNotValid"/>, or <see cref="InvitationError.AccountRefused"/> with Identity's
    /// objections on the <see cref="NewStaffAccount"/> fields they concern.
    /// </summary>
    public async Task<Result<ApplicationUser, InvitationError>> RedeemAsync(string token, NewStaffAccount account)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();

        var details = await FindOpenAsync(token);
        if (details is null) return Result.Fail(InvitationError.LinkNotValid, InvalidLink);

        var hash = InvitationToken.Hash(token);
        var user = new ApplicationUser
        {
            UserName = account.Email,
            Email = account.Email,
            DisplayName = account.DisplayName.Trim(),
            FacilityId = details.FacilityId,
        };
        var created = await users.CreateAsync(user, account.Password);
        if (!created.Succeeded) return Refused(created);

        var role = await users.AddToRoleAsync(user, details.Role);
        if (!role.Succeeded) return Refused(role);

        var claimed = await db.StaffInvitations
            .Where(i => i.TokenHash == hash && i.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.UsedAt, clock.GetUtcNow()).SetProperty(i => i.UsedByUserId, user.Id));
        if (claimed != 1) return Result.Fail(InvitationError.LinkNotValid, InvalidLink);

        await transaction.CommitAsync();
        return user;
    }

    private static Failure<InvitationError> Refused(IdentityResult refused) => Result.Invalid(InvitationError.AccountRefused, FieldsOf(refused));

    /// <summary>Identity's objections on the form fields they concern (<c>Email</c>, <c>Password</c>, or "" for the account).</summary>
    public static FieldError[] FieldsOf(IdentityResult refused) => [.. refused.Errors.Select(e => new FieldError(FieldOf(e.Code), e.Description))];

    /// <summary>The form field an Identity error code is about ("PasswordTooShort" → Password); "" for the account as a whole.</summary>
    private static string FieldOf(string code) =>
        code.StartsWith("Password", StringComparison.Ordinal) ? nameof(NewStaffAccount.Password)
        : code.Contains("Email", StringComparison.Ordinal) || code.Contains("UserName", StringComparison.Ordinal) ? nameof(NewStaffAccount.Email)
        : "";
}
