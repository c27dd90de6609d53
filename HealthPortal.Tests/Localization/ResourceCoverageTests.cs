using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// Every resource file has its Burmese twin with the same keys, no value is empty, and every key a component asks its
/// localizer for exists (a missing key would show the key's name on the page). Read from the source tree, where people
/// edit them (docs/localization.md).
/// </summary>
public sealed partial class ResourceCoverageTests
{
    public static TheoryData<string> EnglishResources() => new(EnglishResourcePaths());

    private static IReadOnlyList<string> EnglishResourcePaths() =>
        Directory.EnumerateFiles(AppFolder, "*.resx", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f) && !f.EndsWith(".my.resx", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(AppFolder, f))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void Resources_Exist()
    {
        // The convention is in use (an empty list would make every theory below vacuous).
        Assert.True(EnglishResourcePaths().Count >= 10);
    }

    [Theory]
    [MemberData(nameof(EnglishResources))]
    public void Resource_HasBurmeseTwinWithTheSameKeys(string resource)
    {
        var english = Entries(Path.Combine(AppFolder, resource));
        var burmesePath = Path.Combine(AppFolder, resource[..^".resx".Length] + ".my.resx");
        Assert.True(File.Exists(burmesePath), $"{resource} has no Burmese twin {Path.GetFileName(burmesePath)}");
        var burmese = Entries(burmesePath);

        Assert.Empty(english.Keys.Except(burmese.Keys).Select(k => $"{resource}: '{k}' has no Burmese text"));
        Assert.Empty(burmese.Keys.Except(english.Keys).Select(k => $"{resource}: '{k}' is only in the Burmese file"));
    }

    [Theory]
    [MemberData(nameof(EnglishResources))]
    public void Resource_HasNoEmptyValues(string resource)
    {
        var both = new[] { resource, resource[..^".resx".Length] + ".my.resx" };
        var empty = both.SelectMany(file => Entries(Path.Combine(AppFolder, file))
            .Where(e => string.IsNullOrWhiteSpace(e.Value)).Select(e => $"{file}: '{e.Key}' is empty")).ToList();

        Assert.Empty(empty);
    }

    [Theory]
    [MemberData(nameof(EnglishResources))]
    public void Resource_BurmeseTextKeepsThePlaceholders(string resource)
    {
        var english = Entries(Path.Combine(AppFolder, resource));
        var burmese = Entries(Path.Combine(AppFolder, resource[..^".resx".Length] + ".my.resx"));
        var wrong = english.Where(e => burmese.TryGetValue(e.Key, out var my) && !Placeholders(e.Value).SetEquals(Placeholders(my)))
            .Select(e => $"{resource}: '{e.Key}' has placeholders {string.Join(",", Placeholders(e.Value))} in English but not in Burmese").ToList();

        Assert.Empty(wrong);
    }

    [Fact]
    public void Components_AskOnlyForKeysTheirResourceHas()
    {
        var missing = new List<string>();
        foreach (var razor in Directory.EnumerateFiles(AppFolder, "*.razor", SearchOption.AllDirectories).Where(f => !IsBuildOutput(f)))
        {
            var text = File.ReadAllText(razor);
            if (LocalizerInjection().Match(text) is not { Success: true } injection) continue;
            var name = injection.Groups["name"].Value;
            var resx = Path.ChangeExtension(razor, ".resx");
            if (!File.Exists(resx))
            {
                missing.Add($"{Path.GetRelativePath(AppFolder, razor)} injects a localizer but has no {Path.GetFileName(resx)}");
                continue;
            }
            var keys = Entries(resx).Keys.ToHashSet(StringComparer.Ordinal);
            foreach (Match use in Regex.Matches(text, Regex.Escape(name) + @"\[""(?<key>[^""]+)""").Cast<Match>())
            {
                if (!keys.Contains(use.Groups["key"].Value))
                    missing.Add($"{Path.GetRelativePath(AppFolder, razor)} asks for '{use.Groups["key"].Value}', which {Path.GetFileName(resx)} lacks");
            }
        }

        Assert.Empty(missing);
    }

    private static Dictionary<string, string> Entries(string path) =>
        XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "", StringComparer.Ordinal);

    private static HashSet<string> Placeholders(string text) => PlaceholderPattern().Matches(text).Select(m => m.Value).ToHashSet();

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static string AppFolder => Path.Combine(RepositoryRoot.Value, "HealthPortal");

    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HealthPortal.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Could not find HealthPortal.sln above " + AppContext.BaseDirectory);
    });

    [GeneratedRegex(@"@inject\s+IStringLocalizer<\w+>\s+(?<name>\w+)")]
    private static partial Regex LocalizerInjection();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();
}
