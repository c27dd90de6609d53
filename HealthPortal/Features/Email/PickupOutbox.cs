using System.Text;
using System.Text.RegularExpressions;

namespace HealthPortal.Features.Email;

/// <summary>One message the pickup transport wrote.</summary>
public sealed record OutboxMessage(string To, string Subject, string Body, DateTime WrittenAt)
{
    /// <summary>The first <c>http(s)</c> link in the body that contains <paramref name="path"/>.</summary>
    public string? LinkTo(string path) =>
        Regex.Matches(Body, @"https?://\S+").Select(m => m.Value).FirstOrDefault(link => link.Contains(path, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Reads the <c>.eml</c> files <see cref="PortalEmailSender"/> writes into the pickup folder (plain text, base64 body),
/// beside the writer so the format lives in one place. For operators and tests looking at what the portal sent.
/// </summary>
public static partial class PickupOutbox
{
    /// <summary>Messages to <paramref name="to"/> (case-insensitive), oldest first.</summary>
    public static IReadOnlyList<OutboxMessage> For(string folder, string to) =>
        ReadAll(folder).Where(m => m.To.Contains(to, StringComparison.OrdinalIgnoreCase)).ToList();

    public static IReadOnlyList<OutboxMessage> ReadAll(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*.eml")
            .Select(file => (File: file, Written: File.GetLastWriteTimeUtc(file)))
            .OrderBy(f => f.Written)
            .Select(f => Parse(File.ReadAllText(f.File), f.Written))
            .ToList();
    }

    public static OutboxMessage Parse(string eml, DateTime writtenAt)
    {
        var split = eml.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? eml : eml[..split];
        var body = split < 0 ? "" : eml[(split + 4)..];
        // Header lines may be folded: a line starting with white space continues the previous one.
        var headers = Regex.Replace(head, @"\r\n[ \t]+", " ").Split("\r\n")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);

        var text = headers.GetValueOrDefault("Content-Transfer-Encoding")?.Equals("base64", StringComparison.OrdinalIgnoreCase) == true
            ? Encoding.UTF8.GetString(Convert.FromBase64String(Regex.Replace(body, @"\s", "")))
            : body;
        return new OutboxMessage(headers.GetValueOrDefault("To") ?? "", DecodeWords(headers.GetValueOrDefault("Subject") ?? ""), text, writtenAt);
    }

    // RFC 2047 encoded words (=?utf-8?B?...?=), which SmtpClient may use for the subject.
    private static string DecodeWords(string value) => EncodedWord().Replace(value, m => m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
        ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
        : m.Groups[3].Value.Replace('_', ' '));

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*")]
    private static partial Regex EncodedWord();
}
