using HealthPortal.Features.Outcomes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.ShareLinks;

/// <summary>What a recipient sent to a manifest URL, and from where (already approximated: see <see cref="ApproximateClient"/>).</summary>
public sealed record ManifestRequest(string Recipient, string? Passcode, string Client, string Address);

/// <summary>A refused manifest request: the code, the sentence, and for a wrong PIN the attempts that remain.</summary>
public sealed record ManifestRefusal(ShareLinkError Error, string Message, int? RemainingAttempts);

/// <summary>
/// The anonymous side of a share link (SMART Health Links "manifest" request): checks the link is live, checks the PIN
/// and counts wrong ones, hands out the ciphertext, and records every request (served or not) for the patient's access
/// history. Knows nothing of the key: the recipient decrypts in their browser.
/// </summary>
public sealed class ShareLinkManifests(ShareLinkStore store, TimeProvider clock, IOptions<ShareLinkOptions> options)
{
    public const int MaxRecipientLength = 200;

    private static readonly PasswordHasher<ShareLink> PinHasher = new();

    /// <summary>The PIN's hash as stored (ASP.NET Identity's PBKDF2 format, salted).</summary>
    public static string HashPin(string pin) => PinHasher.HashPassword(null!, pin);

    public static bool PinMatches(string hash, string pin) =>
        PinHasher.VerifyHashedPassword(null!, hash, pin) != PasswordVerificationResult.Failed;

    /// <summary>The ciphertext, or why not; <c>RemainingAttempts</c> is set after a wrong PIN (the spec's <c>remainingAttempts</c>).</summary>
    public async Task<(Result<string, ShareLinkError> Result, int? RemainingAttempts)> RetrieveAsync(string id, ManifestRequest request)
    {
        var now = clock.GetUtcNow();
        var recipient = Clean(request.Recipient);
        ManifestRefusal? refusal = null;
        var (link, jwe) = await store.AttemptAsync(id, link =>
        {
            var status = link.StatusAt(now);
            if (status != ShareLinkStatus.Active)
            {
                refusal = Refusal(status);
                return new AttemptVerdict(link.AttemptsLeft, false, Record(RetrievalOutcome.Refused));
            }
            if (link.PinHash is { } hash && (string.IsNullOrEmpty(request.Passcode) || !PinMatches(hash, request.Passcode)))
            {
                var left = link.AttemptsLeft - 1;
                refusal = left > 0
                    ? new ManifestRefusal(ShareLinkError.WrongPin, $"The PIN is not right. {left} {(left == 1 ? "attempt remains" : "attempts remain")} before the link locks.", left)
                    : new ManifestRefusal(ShareLinkError.Locked, "The PIN was wrong too many times: this link is locked. Ask the patient for a new link.", 0);
                return new AttemptVerdict(left, false, Record(RetrievalOutcome.WrongPin));
            }
            return new AttemptVerdict(link.AttemptsLeft, true, Record(RetrievalOutcome.Served));
        });
        if (link is null) return (Result.Fail(ShareLinkError.NotFound, "There is no such link. Check that it was copied whole."), null);
        if (refusal is not null) return (Result<string, ShareLinkError>.Fail(refusal.Error, refusal.Message), refusal.RemainingAttempts);
        return (jwe!, null);

        ShareLinkRetrieval Record(RetrievalOutcome outcome) => new(id, now, request.Client, request.Address, recipient, outcome);
    }

    private static ManifestRefusal Refusal(ShareLinkStatus status) => status switch
    {
        ShareLinkStatus.Expired => new(ShareLinkError.Expired, "This link has expired. Ask the patient for a new one.", null),
        ShareLinkStatus.Revoked => new(ShareLinkError.Revoked, "The patient has revoked this link. Ask them for a new one if you still need the records.", null),
        _ => new(ShareLinkError.Locked, "The PIN was wrong too many times: this link is locked. Ask the patient for a new link.", 0),
    };

    /// <summary>The recipient's self-description, as plain text of bounded length (it is shown to the patient).</summary>
    public static string Clean(string? recipient)
    {
        var text = new string((recipient ?? "").Where(c => !char.IsControl(c) && c is not ('<' or '>') && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format).ToArray()).Trim();
        return text.Length > MaxRecipientLength ? text[..MaxRecipientLength] : text;
    }

    public ShareLinkOptions Options => options.Value;
}
