using System.Globalization;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Outcomes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Children;

/// <summary>An open takeover invitation as its page shows it.</summary>
public sealed record TakeoverInvitation(string ChildName, string? GuardianName, DateTimeOffset ExpiresAt);

public sealed record NewChildAccount(string Email, string Password);

/// <summary>
/// Redeems a takeover invitation (<see cref="ChildTakeovers.InviteAsync"/>): the account that held the child's profile
/// gets the grown-up child's e-mail, password and the patient role, so they sign in to their own records. Used by the
/// static <c>/Account/TakeOver</c> page, one request per scope, like <see cref="InvitationRedemption"/>: the account
/// change and spending the link commit together, so a link makes exactly one sign-in even when submitted twice.
/// </summary>
public sealed class ChildTakeoverRedemption(ApplicationDbContext db, UserManager<ApplicationUser> users, ChildGuardianships guardianships, TimeProvider clock)
{
    /// <summary>The open invitation of <paramref name="token"/>, or why it cannot be used, in words for the person holding it.</summary>
    public async Task<Result<TakeoverInvitation, TakeoverError>> FindAsync(string? token)
    {
        var found = await RegistrationAsync(token);
        if (found is null)
            return Result.Fail(TakeoverError.LinkNotValid,
                "This link is not valid: it may be mistyped or replaced by a newer one. Ask your guardian or the facility that registered you for a new link.");
        var (registration, child, guardian) = found.Value;
        if (registration.TakeoverAccountAt is not null)
            return Result.Fail(TakeoverError.LinkUsed, "This link has been used: your account was made with it. Sign in with the e-mail address and password you chose then.");
        if (registration.TakeoverLinkExpiresAt is not { } expires || expires <= clock.GetUtcNow())
            return Result.Fail(TakeoverError.LinkExpired,
                $"This link expired on {registration.TakeoverLinkExpiresAt?.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))}. Ask your guardian or the facility that registered you for a new one.");
        if (clock.GetUtcNow() < guardianships.TakeoverAt(child.BirthDate))
            return Result.Fail(TakeoverError.TooYoung, $"You can take over your records from your {guardianships.TakeoverAge}th birthday.");
        return new TakeoverInvitation(child.FullName, guardian, expires);
    }

    /// <summary>
    /// Gives the child's account <paramref name="account"/>'s e-mail (also the user name) and password and the patient
    /// role, and spends the link: both or neither. Identity's objections come back on the fields they concern.
    /// </summary>
    public async Task<Result<ApplicationUser, TakeoverError>> RedeemAsync(string token, NewChildAccount account)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        var open = await FindAsync(token);
        if (!open.IsOk) return Result.Fail(open.Error, open.Message!);
        var (registration, _, _) = (await RegistrationAsync(token))!.Value;
        var user = await users.FindByIdAsync(registration.ChildUserId) ?? throw new InvalidOperationException("a child registration without its account");
        var email = account.Email.Trim();
        foreach (var step in new Func<Task<IdentityResult>>[]
                 {
                     // The e-mail first: every update validates the whole account, and it must have an address.
                     () => users.SetEmailAsync(user, email),
                     () => users.SetUserNameAsync(user, email),
                     () => users.AddPasswordAsync(user, account.Password),
                     () => users.AddToRoleAsync(user, Roles.Patient),
                 })
        {
            var done = await step();
            if (!done.Succeeded) return Refused(done);
        }
        var hash = InvitationToken.Hash(token);
        var claimed = await db.Set<ChildRegistration>()
            .Where(r => r.TakeoverTokenHash == hash && r.TakeoverAccountAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.TakeoverAccountAt, clock.GetUtcNow()));
        if (claimed != 1) return Result.Fail(TakeoverError.LinkUsed, "This link has just been used.");
        await transaction.CommitAsync();
        return user;
    }

    private async Task<(ChildRegistration Registration, Patients.PatientProfile Child, string? Guardian)?> RegistrationAsync(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var hash = InvitationToken.Hash(token);
        var registration = await db.Set<ChildRegistration>().AsNoTracking().SingleOrDefaultAsync(r => r.TakeoverTokenHash == hash);
        if (registration is null) return null;
        var child = await db.PatientProfiles.AsNoTracking().SingleAsync(p => p.UserId == registration.ChildUserId);
        var guardian = await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == registration.GuardianUserId).Select(p => p.FullName).SingleOrDefaultAsync();
        return (registration, child, guardian);
    }

    private static Failure<TakeoverError> Refused(IdentityResult refused) => Result.Invalid(TakeoverError.AccountRefused, InvitationRedemption.FieldsOf(refused));
}
