using HealthPortal.Features.Words;

namespace HealthPortal.Features.Patient;

/// <summary>
/// The profile form's validation messages in the reader's language (ProfileValidation.resx / .my.resx). Data annotations
/// find a message by the name of a static property, as the Identity forms' <c>AccountValidation</c> does.
/// </summary>
public static class ProfileValidation
{
    private static readonly ResourceWords Texts = new(typeof(ProfileValidation));

    public static string FullNameRequired => Texts.Text(nameof(FullNameRequired));
    public static string FullNameLength => Texts.Text(nameof(FullNameLength));
    public static string BirthDateRequired => Texts.Text(nameof(BirthDateRequired));
    public static string SexRequired => Texts.Text(nameof(SexRequired));
    public static string NationalIdRequired => Texts.Text(nameof(NationalIdRequired));
    public static string NationalIdLength => Texts.Text(nameof(NationalIdLength));
    public static string PhoneRequired => Texts.Text(nameof(PhoneRequired));
    public static string PhoneInvalid => Texts.Text(nameof(PhoneInvalid));
    public static string PhoneLength => Texts.Text(nameof(PhoneLength));
}
