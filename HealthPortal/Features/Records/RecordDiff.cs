using System.Text.Json.Nodes;
using Hl7.Fhir.Model;

namespace HealthPortal.Features.Records;

/// <summary>One value that differs between two versions of a record: where in the record, and its old and new text (null: absent).</summary>
public sealed record RecordChange(string Field, string? Old, string? New);

/// <summary>
/// What changed between two versions of a record, value by value, from their FHIR JSON: every leaf whose text
/// differs, named by its path with FHIR's own member names ("valueQuantity.value", "note[0].text"). Ids and
/// references differ between any two versions (each save has its own ids), so they are left out: a reader sees only
/// what the correction changed in the content.
/// </summary>
public static class RecordDiff
{
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "id", "fullUrl", "reference", "meta", "text" };

    public static IReadOnlyList<RecordChange> Of(Resource old, Resource @new)
    {
        var before = Flatten(JsonNode.Parse(FhirJson.Serialize(old)));
        var after = Flatten(JsonNode.Parse(FhirJson.Serialize(@new)));
        var changes = new List<RecordChange>();
        foreach (var path in before.Keys.Union(after.Keys).Distinct())
        {
            var a = before.GetValueOrDefault(path);
            var b = after.GetValueOrDefault(path);
            if (a != b) changes.Add(new RecordChange(path, a, b));
        }
        return changes;
    }

    private static Dictionary<string, string> Flatten(JsonNode? root)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(root, "", leaves);
        return leaves;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> leaves)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    if (Ignored.Contains(name)) continue;
                    Walk(child, path.Length == 0 ? name : $"{path}.{name}", leaves);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) Walk(a[i], $"{path}[{i}]", leaves);
                break;
            case JsonValue v:
                leaves[path] = v.ToString();
                break;
        }
    }
}
