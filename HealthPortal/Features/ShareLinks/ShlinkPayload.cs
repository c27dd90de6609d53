using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// The SMART Health Links payload (spec v1): <c>shlink:/</c> + base64url(JSON). <see cref="Url"/> is the manifest URL,
/// <see cref="Key"/> the 32-byte content key as 43 base64url characters, <see cref="Exp"/> Unix seconds, <see cref="Flag"/>
/// letters from "L" (long-term), "P" (passcode), "U" (direct file). The portal makes these in the browser only (the key
/// must never reach the server); this type is the reference the tests and any server-side reader check against.
/// </summary>
public sealed record ShlinkPayload(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("exp")] long? Exp = null,
    [property: JsonPropertyName("flag")] string? Flag = null,
    [property: JsonPropertyName("label")] string? Label = null,
    [property: JsonPropertyName("v")] int? V = null)
{
    public const string Scheme = "shlink:/";

    /// <summary>The spec caps the label at 80 characters.</summary>
    public const int MaxLabelLength = 80;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    [JsonIgnore]
    public bool NeedsPasscode => Flag?.Contains('P') == true;

    /// <summary><c>shlink:/…</c>, optionally after <paramref name="viewerUrl"/> and <c>#</c>, as the spec allows.</summary>
    public string Encode(string? viewerUrl = null)
    {
        var link = Scheme + Base64Url.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Json)));
        return viewerUrl is null ? link : viewerUrl + "#" + link;
    }

    /// <summary>
    /// Reads a bare <c>shlink:/…</c> or one prefixed by a viewer URL (<c>https://viewer#shlink:/…</c>), and checks what the
    /// spec requires: an https (or, for local testing, http) url, a 43-character key of 32 bytes, known flags, a label of
    /// at most 80 characters.
    /// </summary>
    public static Result<ShlinkPayload, ShareLinkError> Decode(string text)
    {
        var at = text.IndexOf(Scheme, StringComparison.Ordinal);
        if (at < 0) return Result.Fail(ShareLinkError.MalformedLink, "This is not a SMART Health Link (no shlink:/ in it).");
        if (!Base64Url.TryDecode(text[(at + Scheme.Length)..], out var bytes))
            return Result.Fail(ShareLinkError.MalformedLink, "The link's payload is not base64url.");

        ShlinkPayload? payload;
        try { payload = JsonSerializer.Deserialize<ShlinkPayload>(bytes, Json); }
        catch (JsonException) { return Result.Fail(ShareLinkError.MalformedLink, "The link's payload is not the expected JSON."); }
        if (payload is null || string.IsNullOrEmpty(payload.Url) || string.IsNullOrEmpty(payload.Key))
            return Result.Fail(ShareLinkError.MalformedLink, "The link has no manifest url or key.");
        if (!Uri.TryCreate(payload.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            return Result.Fail(ShareLinkError.MalformedLink, "The link's manifest url is not an http(s) address.");
        if (payload.Key.Length != 43 || !Base64Url.TryDecode(payload.Key, out var key) || key.Length != 32)
            return Result.Fail(ShareLinkError.MalformedLink, "The link's key is not 32 bytes in 43 base64url characters.");
        if (payload.Flag is { } flag && flag.Any(c => c is not ('L' or 'P' or 'U')))
            return Result.Fail(ShareLinkError.MalformedLink, "The link has an unknown flag.");
        if (payload.Label is { Length: > MaxLabelLength })
            return Result.Fail(ShareLinkError.MalformedLink, "The link's label is longer than 80 characters.");
        return payload;
    }

    /// <summary>The content key's bytes (the payload was checked by <see cref="Decode"/>).</summary>
    public byte[] KeyBytes() => Base64Url.Decode(Key);
}
