using HealthPortal.Features.Auth.Passwords;
using HealthPortal.Features.Words;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Components.Account;

/// <summary>
/// Identity's refusals (an expired reset link, a wrong current password, an address already taken) in the reader's
/// language: the forms show their <see cref="IdentityError.Description"/> after "Error:", and Identity's own describer
/// is English only. The codes stay Identity's, so code that tests them (Register's duplicate check) is unchanged.
/// Only the refusals a person can meet on the portal's forms are here; the rest (roles, lockout) stay Identity's.
/// </summary>
public sealed class AccountIdentityErrors : IdentityErrorDescriber
{
    private static readonly ResourceWords Words = new(typeof(AccountIdentityErrors));

    private static IdentityError Error(string code, params object?[] args) =>
        new() { Code = code, Description = args.Length == 0 ? Words.Text(code) : Words.Format(code, args) };

    /// <summary>
    /// What a form shows for <paramref name="error"/>: Identity's own refusals come localized from this describer; the
    /// portal's password validator (Features/Auth) writes English, so its two codes are read here in the reader's language.
    /// </summary>
    public static string Describe(IdentityError error) =>
        error.Code is CommonPasswordValidator.CommonCode or CommonPasswordValidator.PatternCode ? Words.Text(error.Code) : error.Description;

    public override IdentityError DefaultError() => Error(nameof(DefaultError));
    public override IdentityError ConcurrencyFailure() => Error(nameof(ConcurrencyFailure));
    public override IdentityError PasswordMismatch() => Error(nameof(PasswordMismatch));
    public override IdentityError InvalidToken() => Error(nameof(InvalidToken));
    public override IdentityError RecoveryCodeRedemptionFailed() => Error(nameof(RecoveryCodeRedemptionFailed));
    public override IdentityError InvalidUserName(string? userName) => Error(nameof(InvalidUserName), userName);
    public override IdentityError InvalidEmail(string? email) => Error(nameof(InvalidEmail), email);
    public override IdentityError DuplicateUserName(string userName) => Error(nameof(DuplicateUserName), userName);
    public override IdentityError DuplicateEmail(string email) => Error(nameof(DuplicateEmail), email);
    public override IdentityError UserAlreadyHasPassword() => Error(nameof(UserAlreadyHasPassword));
    public override IdentityError PasswordTooShort(int length) => Error(nameof(PasswordTooShort), length);
    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) => Error(nameof(PasswordRequiresUniqueChars), uniqueChars);
}
