using System.Globalization;
using HealthPortal.Features.Words;

namespace HealthPortal.Components.Account;

/// <summary>
/// The Identity forms' validation messages in the reader's language. Data annotations find a message by the name of a
/// static property (<c>ErrorMessageResourceType = typeof(AccountValidation), ErrorMessageResourceName = …</c>), so each
/// property reads AccountValidation.resx / AccountValidation.my.resx by the current UI culture.
/// </summary>
public static class AccountValidation
{
    private static readonly ResourceWords Texts = new(typeof(AccountValidation));

    public static string EmailRequired => Text(nameof(EmailRequired));
    public static string EmailInvalid => Text(nameof(EmailInvalid));
    public static string PasswordRequired => Text(nameof(PasswordRequired));
    public static string CodeRequired => Text(nameof(CodeRequired));
    public static string CodeLength => Text(nameof(CodeLength));
    public static string NameRequired => Text(nameof(NameRequired));
    public static string NameLength => Text(nameof(NameLength));
    public static string PasswordChoose => Text(nameof(PasswordChoose));
    public static string PasswordLength => Text(nameof(PasswordLength));
    public static string PasswordMismatch => Text(nameof(PasswordMismatch));
    public static string ResetLinkIncomplete => Text(nameof(ResetLinkIncomplete));
    public static string RecoveryCodeRequired => Text(nameof(RecoveryCodeRequired));
    public static string CurrentPasswordRequired => Text(nameof(CurrentPasswordRequired));
    public static string NewPasswordChoose => Text(nameof(NewPasswordChoose));
    public static string NewPasswordMismatch => Text(nameof(NewPasswordMismatch));
    public static string NewEmailRequired => Text(nameof(NewEmailRequired));
    public static string PhoneInvalid => Text(nameof(PhoneInvalid));
    public static string PasskeyNameRequired => Text(nameof(PasskeyNameRequired));
    public static string PasskeyNameLength => Text(nameof(PasskeyNameLength));

    private static string Text(string key) => Texts.Text(key);
}
