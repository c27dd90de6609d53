using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using HealthPortal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Auth.Sessions;

/// <summary>
/// Keeps the application cookie's authentication tickets in the portal database (<see cref="UserSession"/>), so the
/// cookie holds only a random key. Signing out deletes the row, which is what makes a copied cookie worthless after
/// logout: a self-contained cookie stays valid until it expires, whatever the server does.
/// Every sign-in gets an absolute end (<see cref="SessionOptions.AbsoluteLifetime"/>) that renewals cannot move.
/// </summary>
public sealed class SessionTicketStore(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IDataProtectionProvider protection,
    TimeProvider clock,
    IOptions<SessionOptions> options) : ITicketStore
{
    /// <summary>
    /// When the person typed their credentials. Identity's RefreshSignInAsync (after a password change, new passkey,
    /// 2FA setup) signs in again with the current ticket's properties, so this item carries the original start over
    /// and a refresh cannot push the absolute end further out.
    /// </summary>
    internal const string StartedItem = ".healthportal.session.started";

    private static readonly long LastSeenResolutionMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    private readonly IDataProtector protector = protection.CreateProtector("HealthPortal.Sessions.Ticket.v1");

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null, CancellationToken.None);
    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null, cancellationToken);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        var userId = ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("A session ticket must name its user.");
        var now = clock.GetUtcNow();
        var started = StartedOf(ticket.Properties) is { } carried && carried <= now ? carried : now;
        var absoluteEnd = started + options.Value.AbsoluteLifetime;
        ticket.Properties.Items[StartedItem] = started.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        var key = Base64UrlKey();
        var id = IdOf(key);
        Tag(ticket, id);
        Cap(ticket, absoluteEnd);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Sessions.Add(new UserSession
        {
            Id = id,
            UserId = userId,
            CreatedAtMs = started.ToUnixTimeMilliseconds(),
            LastSeenAtMs = now.ToUnixTimeMilliseconds(),
            ExpiresAtMs = ticket.Properties.ExpiresUtc!.Value.ToUnixTimeMilliseconds(),
            AbsoluteExpiresAtMs = absoluteEnd.ToUnixTimeMilliseconds(),
            UserAgent = Truncate(httpContext?.Request.Headers.UserAgent.ToString() ?? "", UserSessions.MaxUserAgentLength),
            ClientAddress = Truncate(httpContext?.Connection.RemoteIpAddress?.ToString() ?? "", 64),
            Ticket = Protect(ticket),
        });
        await db.SaveChangesAsync(cancellationToken);

        // Sessions whose cookie never came back are removed once past their absolute end, so the table stays the
        // size of the live sessions.
        var nowMs = now.ToUnixTimeMilliseconds();
        await db.Sessions.Where(s => s.UserId == userId && s.AbsoluteExpiresAtMs <= nowMs).ExecuteDeleteAsync(cancellationToken);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null, CancellationToken.None);
    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewAsync(key, ticket, null, cancellationToken);

    /// <summary>
    /// Called for sliding renewals and security-stamp refreshes, and also when a browser that still holds a live
    /// session signs in again (the cookie handler then reuses the key rather than storing a new ticket).
    /// </summary>
    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        var id = IdOf(key);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        // Ended while this request ran: a renewal must never bring it back.
        if (session is null) return;

        if (ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier) != session.UserId)
        {
            // Another account signing in on this browser's live key. Handing it that key would let whoever else
            // knows the key (a planted cookie: session fixation) into the new account, so the old session ends and
            // the sign-in with it; the browser is asked to sign in again and then gets a key of its own.
            db.Sessions.Remove(session);
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        var now = clock.GetUtcNow();
        if (StartedOf(ticket.Properties) is null)
        {
            // The same person typed their credentials again: a fresh sign-in, a fresh absolute lifetime.
            session.CreatedAtMs = now.ToUnixTimeMilliseconds();
            session.AbsoluteExpiresAtMs = (now + options.Value.AbsoluteLifetime).ToUnixTimeMilliseconds();
            session.UserAgent = Truncate(httpContext?.Request.Headers.UserAgent.ToString() ?? "", UserSessions.MaxUserAgentLength);
            session.ClientAddress = Truncate(httpContext?.Connection.RemoteIpAddress?.ToString() ?? "", 64);
        }

        // The security stamp check replaces the principal with a fresh one from the user store, without our claim.
        Tag(ticket, id);
        Cap(ticket, DateTimeOffset.FromUnixTimeMilliseconds(session.AbsoluteExpiresAtMs));
        ticket.Properties.Items[StartedItem] = session.CreatedAtMs.ToString(CultureInfo.InvariantCulture);

        session.Ticket = Protect(ticket);
        session.ExpiresAtMs = ticket.Properties.ExpiresUtc!.Value.ToUnixTimeMilliseconds();
        session.LastSeenAtMs = now.ToUnixTimeMilliseconds();
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null, CancellationToken.None);
    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null, cancellationToken);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        var id = IdOf(key);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (session is null) return null;

        var ticket = now < session.AbsoluteExpiresAtMs ? Unprotect(session.Ticket) : null;
        if (ticket is null)
        {
            // Past its absolute end, or protected with a key the ring no longer has: the sign-in is over.
            await db.Sessions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
            return null;
        }

        if (now - session.LastSeenAtMs >= LastSeenResolutionMs)
        {
            await db.Sessions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAtMs, now), cancellationToken);
        }
        return ticket;
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null, CancellationToken.None);
    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null, cancellationToken);

    public async Task RemoveAsync(string key, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        var id = IdOf(key);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Sessions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The row id for a cookie key: a hash, so the handle shown on pages cannot be turned into a cookie.</summary>
    internal static string IdOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64UrlKey() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static DateTimeOffset? StartedOf(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(StartedItem, out var value)
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    private static void Tag(AuthenticationTicket ticket, string id)
    {
        var identity = ticket.Principal.Identities.FirstOrDefault(i => i.IsAuthenticated)
            ?? throw new InvalidOperationException("A session ticket must carry an authenticated identity.");
        foreach (var old in identity.FindAll(SessionClaims.SessionId).ToList()) identity.RemoveClaim(old);
        identity.AddClaim(new Claim(SessionClaims.SessionId, id));
    }

    private static void Cap(AuthenticationTicket ticket, DateTimeOffset absoluteEnd)
    {
        if (ticket.Properties.ExpiresUtc is not { } expires || expires > absoluteEnd) ticket.Properties.ExpiresUtc = absoluteEnd;
    }

    private byte[] Protect(AuthenticationTicket ticket) => protector.Protect(TicketSerializer.Default.Serialize(ticket));

    private AuthenticationTicket? Unprotect(byte[] data)
    {
        try
        {
            return TicketSerializer.Default.Deserialize(protector.Unprotect(data));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
