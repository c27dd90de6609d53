using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthPortal.Ledger.Canonical;

/// <summary>
/// RFC 8785 (JCS) canonical JSON for transaction bodies, restricted to the value types the ledger
/// allows: strings, integers that fit in a <see cref="long"/>, booleans, null, arrays and objects.
/// </summary>
/// <remarks>
/// Floating-point numbers are refused rather than serialized: RFC 8785 formats them like
/// ECMAScript's <c>Number.prototype.toString</c>, which is easy to get subtly different between C#
/// and the browser, and a hash over such bytes would then differ between signer and verifier.
/// Integers are written as plain decimal, which is what ECMAScript produces for them as long as
/// they are within ±2^53; larger values are allowed here but a browser cannot represent them, so
/// bodies that a browser signs should carry them as strings.
/// <see cref="CanonicalizeData"/> is the full RFC 8785 for hashing data the ledger only refers to
/// (FHIR resources), whose numbers are not ours to choose.
/// </remarks>
public static class Jcs
{
    /// <summary>Deepest nesting of arrays and objects accepted.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>
    /// Canonicalizes a node tree. A null node is JSON <c>null</c>. Values built in code may be
    /// strings, booleans, or any integral CLR type within the range of <see cref="long"/>; other
    /// CLR values (double, decimal, Guid, DateTime, …) are refused so that their formatting never
    /// depends on serializer settings. Never throws for bad content; returns a failure instead.
    /// </summary>
    public static CanonicalResult Canonicalize(JsonNode? node) => JcsWriter.Canonicalize(node);

    /// <summary>
    /// Parses strict JSON (no comments, no trailing commas) and canonicalizes it. Parse errors,
    /// duplicate member names, lone surrogates and floating-point numbers are failures.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    public static CanonicalResult Canonicalize(string json) => Parse(json, JcsWriter.Canonicalize);

    /// <summary>
    /// Canonicalizes data that is not a ledger body (for example a FHIR resource, whose decimals are JSON numbers):
    /// like <see cref="Canonicalize(string)"/>, but any JSON number is allowed and written the way RFC 8785 §3.2.2.3
    /// prescribes (ECMAScript <c>Number.prototype.toString</c> of the IEEE 754 double, see <see cref="JcsNumber"/>),
    /// so <c>5.40</c> becomes <c>5.4</c> and integers beyond 2^53 lose precision exactly as in a browser.
    /// A number too large for a double is a failure.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    public static CanonicalResult CanonicalizeData(string json) => Parse(json, JcsWriter.CanonicalizeData);

    /// <summary>
    /// As <see cref="CanonicalizeData(string)"/>, for JSON a serializer has just written as UTF-8: read as it is, without
    /// a round trip through a string (issue 17: a record's FHIR JSON is hashed once per record pushed).
    /// </summary>
    public static CanonicalResult CanonicalizeDataUtf8(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, ParseOptions);
        }
        catch (JsonException e)
        {
            return CanonicalResult.Failure("invalid JSON: " + e.Message);
        }
        using (document)
        {
            return JcsWriter.CanonicalizeData(document.RootElement);
        }
    }

    private static CanonicalResult Parse(string json, Func<JsonElement, CanonicalResult> canonicalize)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, ParseOptions);
        }
        catch (JsonException e)
        {
            return CanonicalResult.Failure("invalid JSON: " + e.Message);
        }
        catch (ArgumentException)
        {
            // JsonDocument refuses to transcode a string holding an unpaired surrogate char.
            return CanonicalResult.Failure("invalid JSON: the text contains a lone surrogate");
        }

        using (document)
        {
            return canonicalize(document.RootElement);
        }
    }

    /// <summary>
    /// Canonicalizes a node tree the caller built itself and therefore knows to be valid.
    /// </summary>
    /// <exception cref="ArgumentException">The tree holds a value that cannot be canonicalized
    /// (a programming error); the message names the JSON path.</exception>
    public static byte[] CanonicalizeOrThrow(JsonNode? node)
    {
        var result = Canonicalize(node);
        return result.IsSuccess ? result.Bytes : throw new ArgumentException(result.Error, nameof(node));
    }
}
