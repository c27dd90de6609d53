using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace HealthPortal.Features.Records;

/// <summary>
/// The one FHIR JSON serializer (Firely's System.Text.Json converters): what the record hash is computed over, what the
/// interop API answers with and what the exports write. One instance, so those can never drift apart.
/// </summary>
public static class FhirJson
{
    public static readonly JsonSerializerOptions Options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    /// <summary>The same, indented, for files people download and may read.</summary>
    public static readonly JsonSerializerOptions Indented = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).Pretty();

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, Options);

    /// <summary>The same JSON as <see cref="Serialize"/>, as the UTF-8 the serializer writes.</summary>
    public static byte[] SerializeToUtf8(Resource resource) => JsonSerializer.SerializeToUtf8Bytes(resource, Options);

    /// <summary>
    /// A resource already read as JSON (an entry of a posted Bundle), taken as it is rather than written out as text and
    /// parsed again. Throws as <see cref="JsonSerializer"/> does for anything that is not a FHIR resource.
    /// </summary>
    public static Resource Deserialize(JsonNode resource) => resource.Deserialize<Resource>(Options)
        ?? throw new JsonException("The resource is JSON null.");

    /// <summary>Parses FHIR JSON; null (never an exception) for anything that is not a FHIR resource.</summary>
    public static Resource? TryParse(string json)
    {
        try { return JsonSerializer.Deserialize<Resource>(json, Options); }
        catch (Exception e) when (e is JsonException or DeserializationFailedException or FormatException or NotSupportedException) { return null; }
    }
}
