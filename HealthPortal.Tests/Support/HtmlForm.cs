using System.Net;
using System.Text.RegularExpressions;

namespace HealthPortal.Tests.Support;

/// <summary>
/// A server-rendered form as a browser would submit it: every input of the form named by its Blazor
/// <c>_handler</c> (antiforgery token included), with the fields the test sets.
/// </summary>
public sealed partial class HtmlForm
{
    private readonly Dictionary<string, string> fields;

    private HtmlForm(string action, Dictionary<string, string> fields)
    {
        Action = action;
        this.fields = fields;
    }

    public string Action { get; }

    public string this[string name]
    {
        get => fields[name];
        set => fields[name] = value;
    }

    public static async Task<HtmlForm> LoadAsync(HttpClient browser, string url, string handler)
    {
        var response = await browser.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}");
        return Parse(html, handler, url);
    }

    public static HtmlForm Parse(string html, string handler, string url)
    {
        foreach (Match form in FormPattern().Matches(html))
        {
            var inputs = InputPattern().Matches(form.Value)
                .Select(input => (Name: Attribute(input.Value, "name"), Value: WebUtility.HtmlDecode(Attribute(input.Value, "value") ?? "")))
                .Where(input => input.Name is not null)
                .GroupBy(input => input.Name!)
                .ToDictionary(group => group.Key, group => group.First().Value);
            if (inputs.GetValueOrDefault("_handler") == handler)
            {
                var action = Attribute(form.Value, "action");
                return new HtmlForm(string.IsNullOrEmpty(action) ? url : WebUtility.HtmlDecode(action), inputs);
            }
        }
        throw new InvalidOperationException($"No form '{handler}' on {url}");
    }

    public Task<HttpResponseMessage> PostAsync(HttpClient browser) =>
        browser.PostAsync(Action.StartsWith('/') || Action.StartsWith("http") ? Action : "/" + Action, new FormUrlEncodedContent(fields));

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $@"\s{name}=""([^""]*)""", RegexOptions.IgnoreCase);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"<form\b[\s\S]*?</form>", RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();
}
