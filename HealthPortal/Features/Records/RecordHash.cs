using System.Security.Cryptography;
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

    public static string Of(Resource resource) => OfJson(JsonOf(resource));

    /// <summary>The hash of received FHIR JSON (any member order or spacing).</summary>
    /// <exception cref="FormatException">The text is not JSON that RFC 8785 can canonicalize.</exception>
    public static string OfJson(string fhirJson)
    {
        var canonical = Jcs.CanonicalizeData(fhirJson);
        if (!canonical.IsSuccess) throw new FormatException("not canonicalizable FHIR JSON: " + canonical.Error);
        return Base64Url.Encode(SHA256.HashData(canonical.Bytes));
    }
}
