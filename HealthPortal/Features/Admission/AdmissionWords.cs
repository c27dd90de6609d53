using System.Globalization;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Admission;

/// <summary>
/// Admission's messages in the reader's language (AdmissionWords.resx / AdmissionWords.my.resx beside this file): what is
/// wrong with an application, a decision's reason or a recomputed stamp, and why the ledger refused a decision. The
/// service and its static checks cannot be an <c>IStringLocalizer&lt;T&gt;</c>'s type, so they read the folder's resource as
/// <c>Grants/GrantWords</c> does. Nothing that goes on the ledger or is stored passes here.
/// </summary>
public static class AdmissionWords
{
    private static readonly ResourceWords Texts = new(typeof(AdmissionWords));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);
}
