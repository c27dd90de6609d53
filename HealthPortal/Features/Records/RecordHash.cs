using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Features.Records;

/// <summary>
/// A record's content hash: SHA-256 of the RFC 8785 canonical form of its FHIR R4 JSON, base64url (43 characters,
/// the ledger's hash form). Anyone who receives the FHIR JSON can recompute it without knowing the source format.
/// </summary>
public static class RecordHash
{
    /// <summary>The FHIR JSON of <paramref name="resource"/> as the interop layer sends it.</summary>
    public static string JsonOf(Resource resource) => FhirJson.Serialize(resource);

    public static string Of(Resource resource) => JsonAndHashOf(resource).Hash;

    /// <summary>
    /// The FHIR JSON of <paramref name="resource"/> and its hash, from one serialization: the hash is taken from the
    /// UTF-8 the serializer wrote, not from the text read back (issue 17 measured both per record pushed).
    /// </summary>
    /// <exception cref="FormatException">The JSON cannot be canonicalized (a number too large for a double).</exception>
    public static (string Json, string Hash) JsonAndHashOf(Resource resource)
    {
        var utf8 = FhirJson.SerializeToUtf8(resource);
        return (Encoding.UTF8.GetString(utf8), HashOf(Jcs.CanonicalizeDataUtf8(utf8)));
    }

    /// <summary>The hash of received FHIR JSON (any member order or spacing).</summary>
    /// <exception cref="FormatException">The text is not JSON that RFC 8785 can canonicalize.</exception>
    public static string OfJson(string fhirJson)
    {
        return HashOf(Jcs.CanonicalizeData(fhirJson));
    }

    private static string HashOf(CanonicalResult canonical) => canonical.IsSuccess
        ? Base64Url.Encode(SHA256.HashData(canonical.Bytes))
        : throw new FormatException("not canonicalizable FHIR JSON: " + canonical.Error);
}
