using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Localization;

/// <summary>
/// The English sentences of moved folders' resources, and the check that a Burmese page shows none of them (the staff,
/// admin and patient journeys share it).
/// </summary>
internal static partial class EnglishSentences
{
    /// <summary>
    /// The page's main content, less what <paramref name="exclude"/> finds, contains none of the English sentences of
    /// the <paramref name="features"/> folders' resources, their subfolders included (each cut at its placeholders;
    /// pieces of two or more words, so a one-word label cannot match a name that happens to contain it).
    /// </summary>
    public static async Task ExpectNoneAsync(IPage page, string exclude, params string[] features)
    {
        var text = await page.EvaluateAsync<string>(@"exclude => {
            const main = document.querySelector('main') ?? document.body;
            const copy = main.cloneNode(true);
            if (exclude) copy.querySelectorAll(exclude).forEach(e => e.remove());
            return copy.textContent;
        }", exclude);
        var english = features.SelectMany(Of).Where(piece => text.Contains(piece, StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(english.Count == 0, "English on a Burmese page: " + string.Join(" | ", english));
    }

    /// <summary>
    /// The page's whole visible text (<c>innerText</c>: the Identity pages' header with its language link included)
    /// contains none of the English sentences of <paramref name="pieces"/>.
    /// </summary>
    public static async Task ExpectNoneOnPageAsync(IPage page, IEnumerable<string> pieces)
    {
        var text = await page.Locator("body").InnerTextAsync();
        var english = pieces.Where(piece => text.Contains(piece, StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(english.Count == 0, "English on a Burmese page: " + string.Join(" | ", english));
    }

    /// <summary>The pieces of English text of <paramref name="feature"/>'s resources (Features/<paramref name="feature"/>).</summary>
    public static IEnumerable<string> Of(string feature) => OfFolder("Features", feature);

    /// <summary>The pieces of English text of the resources under <c>HealthPortal/</c><paramref name="folder"/> (e.g. Components, Account).</summary>
    public static IEnumerable<string> OfFolder(params string[] folder)
    {
        var path = Path.Combine([SourceRoot(), "HealthPortal", .. folder]);
        return Directory.EnumerateFiles(path, "*.resx", SearchOption.AllDirectories).Where(f => !f.EndsWith(".my.resx", StringComparison.Ordinal))
            .SelectMany(f => XDocument.Load(f).Root!.Elements("data").Select(d => (string?)d.Element("value") ?? ""))
            .SelectMany(value => Placeholder().Split(value))
            .Select(piece => piece.Trim(' ', '.', ',', ':', ';', '(', ')', '“', '”', '"', '\''))
            .Where(piece => piece.Count(c => c == ' ') >= 1 && piece.Any(char.IsAsciiLetter));
    }

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HealthPortal.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("HealthPortal.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();
}
