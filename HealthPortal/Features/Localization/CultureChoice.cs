using System.Security.Claims;
using HealthPortal.Data;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Localization;

/// <summary>
/// Where a person's language is kept: the culture cookie on this device, and <see cref="ApplicationUser.PreferredCulture"/>
/// so the choice follows them to the next device at sign-in.
/// </summary>
public sealed class CultureChoice(IDbContextFactory<ApplicationDbContext> dbFactory)
{
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(365);

    public static void WriteCookie(HttpContext http, string culture) =>
        http.Response.Cookies.Append(PortalCultures.CookieName, PortalCultures.CookieValue(culture), new CookieOptions
        {
            Path = "/",
            MaxAge = CookieLifetime,
            // Only the server reads it (the request localization middleware); essential because without it a Burmese
            // reader gets English pages.
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
        });

    public async Task SaveAsync(string userId, string culture, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == userId && u.PreferredCulture != culture)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.PreferredCulture, culture), ct);
    }

    public async Task<string?> SavedAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var saved = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PreferredCulture).FirstOrDefaultAsync(ct);
        return PortalCultures.IsSupported(saved) ? saved : null;
    }

    /// <summary>
    /// At every sign-in (password, passkey, second factor, recovery code: all end in the application cookie): a
    /// language picked on this device before signing in (the login page's switch) is the newest choice and is saved
    /// to the profile; with none, the profile's choice is written to this device's cookie, so the next page is in it.
    /// </summary>
    public static async Task OnSignedInAsync(CookieSignedInContext context)
    {
        if (context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return;
        var http = context.HttpContext;
        var choice = http.RequestServices.GetRequiredService<CultureChoice>();
        var onThisDevice = PortalCultures.FromCookie(http.Request.Cookies[PortalCultures.CookieName]);
        if (onThisDevice is not null)
        {
            await choice.SaveAsync(userId, onThisDevice, http.RequestAborted);
        }
        else if (await choice.SavedAsync(userId, http.RequestAborted) is { } saved)
        {
            WriteCookie(http, saved);
        }
    }
}
