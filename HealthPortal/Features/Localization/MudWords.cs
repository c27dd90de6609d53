using System.Globalization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Localization;

/// <summary>
/// MudBlazor's own words (a numeric field's "Increment", a dialog's "Close", pagers, date pickers) in the reader's
/// language, from MudWords.resx / MudWords.my.resx beside this file under MudBlazor's keys ("MudInput_Increment").
/// A key missing here is reported as not found, so MudBlazor falls back to its built-in English.
/// </summary>
public sealed class MudWords : MudLocalizer
{
    private static readonly ResourceWords Texts = new(typeof(MudWords));

    public override LocalizedString this[string key] =>
        Texts.Find(key) is { } text
            ? new LocalizedString(key, text, resourceNotFound: false)
            : new LocalizedString(key, key, resourceNotFound: true);

    public override LocalizedString this[string key, params object[] arguments] =>
        this[key] is { ResourceNotFound: false } found
            ? new LocalizedString(key, string.Format(CultureInfo.CurrentCulture, found.Value, arguments), resourceNotFound: false)
            : new LocalizedString(key, key, resourceNotFound: true);
}
