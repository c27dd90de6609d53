using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthPortal.Tests.Ledger.Canonical;

/// <summary>
/// A deliberately simple RFC 8785 serializer for the ledger's subset (strings, integers, booleans,
/// null, arrays, objects), written straight from the RFC text and used only to check
/// <see cref="HealthPortal.Ledger.Canonical.Jcs"/>. Slow and allocation-heavy on purpose.
/// </summary>
internal static class ReferenceJcs
{
    public static byte[] Serialize(JsonNode? node) => Encoding.UTF8.GetBytes(Text(node));

    private static string Text(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o
            .OrderBy(m => m.Key, StringComparer.Ordinal) // RFC 8785 §3.2.3: UTF-16 code units
            .Select(m => Quote(m.Key) + ":" + Text(m.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Text)) + "]",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => Quote(v.GetValue<string>()),
            JsonValueKind.Number => (v.TryGetValue<long>(out var l) ? l : v.GetValue<int>()).ToString(CultureInfo.InvariantCulture),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            var kind => throw new NotSupportedException(kind.ToString()),
        },
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    // RFC 8785 §3.2.2.2: escape only '"', '\' and U+0000..U+001F, with the five short forms.
    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
