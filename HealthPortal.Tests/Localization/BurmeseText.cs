using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using HealthPortal.Features.Localization;
using Microsoft.AspNetCore.Components;

namespace HealthPortal.Tests.Localization;

/// <summary>What a rendered component says to a reader, and the English words in it (BurmeseRenderTests and the page tests under <c>my</c>).</summary>
public static partial class BurmeseText
{
    /// <summary>
    /// Latin-script words that stay as they are in Burmese pages: the product's name and the abbreviations Myanmar's health
    /// IT writes in Latin letters. Kept short on purpose; ids, hashes and codes are in &lt;code&gt; and e-mail addresses are
    /// data, so neither needs an entry here.
    /// </summary>
    public static readonly HashSet<string> AllowedLatinWords = new(StringComparer.Ordinal)
    {
        "HealthPortal", // the product's name
        "MPI",          // Master Patient Index: the abbreviation is the term in Myanmar's health system
        "FHIR",         // the HL7 standard's name
        "UTC",          // time offsets are written "UTC+06:30" in Burmese too
        // Names of standards and products a Burmese text names as they are written (the key pages' wallet and key words).
        "Ethereum", "MetaMask", "Rabby", "EIP", "QR", "ECDSA", "WebCrypto", "IndexedDB", "ES", "JSON", "SHA",
        "NRC",          // the National Registration Card: Myanmar's forms and staff write its number and name this way
        "Microsoft", "Google", "Authenticator", "Android", "iOS", "TOTP", // authenticator apps, their stores and standard, named as the stores name them
        "CSV",          // a file format's name (the MPI import's patient list and report), as JSON is
    };

    /// <summary>The rendered words a reader meets: text, and the accessible names and hints screen readers announce.</summary>
    public static IEnumerable<string> Of<T>(IRenderedComponent<T> rendered) where T : IComponent
    {
        var texts = new List<string>();
        foreach (var node in rendered.Nodes) Collect(node, texts);
        return texts;
    }

    /// <summary>The same for server-rendered HTML (the static Identity pages).</summary>
    public static IEnumerable<string> Of(INode root)
    {
        var texts = new List<string>();
        Collect(root, texts);
        return texts;
    }

    private static void Collect(INode node, List<string> texts)
    {
        if (node is IElement element)
        {
            // Text marked as another language (the switch's "English") is English on purpose; ids, hashes and codes are in <code>, signed text in <pre>.
            if (element.GetAttribute("lang") is { } lang && lang != PortalCultures.Burmese) return;
            // <pre> holds the canonical text a key signs, shown exactly as signed (never translated).
            if (element.LocalName is "code" or "pre" or "script" or "style" or "svg") return;
            foreach (var name in new[] { "aria-label", "title", "placeholder", "alt" })
            {
                if (element.GetAttribute(name) is { Length: > 0 } value) texts.Add(value);
            }
        }
        else if (node.NodeType == NodeType.Text && node.TextContent.Trim() is { Length: > 0 } text)
        {
            texts.Add(text);
        }
        foreach (var child in node.ChildNodes) Collect(child, texts);
    }

    /// <summary>Runs <paramref name="render"/> with the UI culture <c>my</c>, and puts the cultures back.</summary>
    public static List<string> UnderBurmese(Func<List<string>> render)
    {
        var before = (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture);
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo(PortalCultures.Burmese);
        try
        {
            return render();
        }
        finally
        {
            (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture) = before;
        }
    }

    /// <summary>
    /// The texts hold Burmese and no English word once <paramref name="data"/> (what people entered: names, contacts,
    /// addresses) is taken out, longest value first so no value is cut by a shorter one.
    /// </summary>
    public static void AssertBurmeseBeyond(IReadOnlyList<string> texts, IEnumerable<string?> data, string where)
    {
        var values = data.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).Distinct().OrderByDescending(v => v.Length).ToList();
        Xunit.Assert.Contains(texts, text => text.Any(c => c is >= '\u1000' and <= '\u109F'));
        var english = texts
            .Select(text => values.Aggregate(text, (t, value) => t.Replace(value, " ", StringComparison.Ordinal)))
            .SelectMany(EnglishWords).Distinct().ToList();
        Xunit.Assert.True(english.Count == 0, $"English on {where}: " + string.Join(", ", english) + "\n" + string.Join("\n", texts));
    }

    public static IEnumerable<string> EnglishWords(string text) =>
        LatinWord().Matches(EmailOrUrl().Replace(text, " ")).Select(m => m.Value).Where(w => !AllowedLatinWords.Contains(w));

    [GeneratedRegex(@"[A-Za-z]{2,}")]
    private static partial Regex LatinWord();

    [GeneratedRegex(@"\S+@\S+|https?://\S+")]
    private static partial Regex EmailOrUrl();
}
