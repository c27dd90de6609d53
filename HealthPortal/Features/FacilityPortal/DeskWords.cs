using System.Globalization;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.FacilityPortal;

/// <summary>
/// The desk's messages in the reader's language (DeskWords.resx / DeskWords.my.resx beside this file): what is wrong
/// with a typed or scanned MPI number, and why a lookup or search found nobody. Static helpers and services cannot be
/// an <c>IStringLocalizer&lt;T&gt;</c>'s type, so they read the folder's resource as <c>Grants/GrantWords</c> does.
/// </summary>
public static class DeskWords
{
    private static readonly ResourceWords Texts = new(typeof(DeskWords));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);

    /// <summary>
    /// Why <paramref name="input"/> is not an MPI number, in the same order as <see cref="MpiNumber.TryParse"/> checks it
    /// (its own sentences are English only); null when it is one.
    /// </summary>
    public static string? MpiProblem(string? input)
    {
        if (MpiNumber.IsValid(input)) return null;
        var digits = new string((input ?? "").Where(c => c is not (' ' or '-')).ToArray());
        if (digits.Length == 0) return Text("MpiEmpty");
        if (digits.Any(c => !char.IsAsciiDigit(c))) return Text("MpiDigitsOnly");
        if (digits.Length != MpiNumber.Digits) return Format("MpiLength", MpiNumber.Digits, digits.Length);
        return Text("MpiTypo");
    }
}
