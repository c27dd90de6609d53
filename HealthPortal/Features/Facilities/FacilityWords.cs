using System.Globalization;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Facilities;

/// <summary>
/// A facility's kind and admission status in the reader's language (FacilityWords.resx / FacilityWords.my.resx beside
/// this file). The enums themselves are stored and go on the ledger as they are; only what a person reads passes here.
/// </summary>
public static class FacilityWords
{
    // Enums cannot be an IStringLocalizer<T>'s type; the folder's resource is read the way Grants/GrantWords reads its own.
    private static readonly ResourceWords Texts = new(typeof(FacilityWords));

    private static string Text(string key) => Texts.Text(key);

    public static string Kind(FacilityKind kind) => Text("Kind" + kind);

    public static string Status(FacilityStatus status) => Text("Status" + status);
}
