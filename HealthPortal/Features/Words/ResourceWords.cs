using System.Globalization;
using System.Resources;

namespace HealthPortal.Features.Words;

/// <summary>
/// One type's words in the reader's language, read from the resource files beside it (<c>GrantWords.resx</c> for English,
/// <c>GrantWords.my.resx</c> for Burmese). Pages take an <c>IStringLocalizer&lt;T&gt;</c>; static helpers, records, enums'
/// labels and validation cannot, and read their words through this instead of each building its own
/// <see cref="ResourceManager"/>. This folder uses no other folder, so any folder may use it.
/// </summary>
public sealed class ResourceWords(Type owner)
{
    private readonly ResourceManager _texts = new(owner.FullName!, owner.Assembly);

    /// <summary>The text of <paramref name="key"/> in <paramref name="culture"/> (the reader's UI language by default), or null when there is none.</summary>
    public string? Find(string key, CultureInfo? culture = null) => _texts.GetString(key, culture ?? CultureInfo.CurrentUICulture);

    /// <summary>
    /// The text of <paramref name="key"/>, or the key itself: a word missing from both languages then shows as its key on
    /// the page and in the resource-coverage test, never as an empty label.
    /// </summary>
    public string Text(string key, CultureInfo? culture = null) => Find(key, culture) ?? key;

    /// <summary><see cref="Text"/> with its placeholders filled, numbers and dates in the reader's formats.</summary>
    public string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Text(key), args);
}
