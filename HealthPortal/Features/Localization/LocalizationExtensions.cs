using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using HealthPortal.Components.Account;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;

namespace HealthPortal.Features.Localization;

public static class LocalizationExtensions
{
    /// <summary>
    /// Resource files next to their component (no ResourcesPath: <c>Features/Shell/NavMenu.my.resx</c> is the resource of
    /// <c>HealthPortal.Features.Shell.NavMenu</c>), the request's UI language from the culture cookie, and the profile's
    /// language applied at sign-in.
    /// </summary>
    public static WebApplicationBuilder AddPortalLocalization(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddLocalization();
        services.AddSingleton<CultureChoice>();
        // After AddMudServices (AddPortalUi), so MudBlazor asks this one for its words.
        services.AddTransient<MudBlazor.MudLocalizer, MudWords>();
        // Server-rendered HTML keeps Burmese letters as they are instead of one "&#x1000;" entity per letter (eight times
        // the bytes, and unreadable in the page source). HTML's special characters are still escaped.
        services.AddWebEncoders(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.BasicLatin, UnicodeRanges.Myanmar));

        // Only the UI language (words, month names) is chosen. Number and date formatting everywhere else stays the
        // process's culture, as before this feature: pages format dates through Times/UserTime, and stored or signed
        // values are culture-invariant anyway. The cookie alone decides (no Accept-Language): English unless the
        // person picked Burmese, the same on every browser.
        var formatting = CultureInfo.CurrentCulture;
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.DefaultRequestCulture = new RequestCulture(formatting, CultureInfo.GetCultureInfo(PortalCultures.Default));
            options.SupportedCultures = [formatting];
            options.SupportedUICultures = PortalCultures.Supported.Select(CultureInfo.GetCultureInfo).ToList();
            options.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });

        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, options =>
        {
            var inner = options.Events.OnSignedIn;
            options.Events.OnSignedIn = async context =>
            {
                await inner(context);
                await CultureChoice.OnSignedInAsync(context);
            };
        });
        return builder;
    }

    /// <summary>Before routing, so every page, the Blazor hub's connection (a circuit keeps the culture it started with) and the status pages read the cookie.</summary>
    public static WebApplication UsePortalLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    /// <summary>
    /// <c>GET /culture?c=my&amp;back=/patient</c>: the language switch. A circuit's culture is fixed when it starts, so
    /// the switch is a full page load through here: the cookie is set, the choice saved in the profile of whoever is
    /// signed in, and the browser sent back to the page it came from (a local path only).
    /// </summary>
    public static IEndpointRouteBuilder MapCultureEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/culture", async (string? c, string? back, HttpContext http, CultureChoice choice) =>
        {
            if (!PortalCultures.IsSupported(c))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown language",
                    detail: $"'{c}' is not a language of this portal; choose one of: {string.Join(", ", PortalCultures.Supported)}.");
            }
            CultureChoice.WriteCookie(http, c!);
            // A GET another site can send the browser to (a link, an image): it may change this browser's language (a
            // clinic's web page linking to the Burmese portal is a fair use), but only the portal's own switch (or an
            // address typed by the user) changes what the profile keeps for every device.
            if (http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId && !FromAnotherSite(http.Request))
            {
                await choice.SaveAsync(userId, c!, http.RequestAborted);
            }
            // Anything that could leave the site (//evil.example, https://…, /\evil.example) goes home instead.
            var target = !string.IsNullOrEmpty(back) && LocalUrl.IsLocal(back) ? back : "/";
            if (!target.StartsWith('/')) target = "/" + target;
            return Results.LocalRedirect(target);
        }).AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// The browser says the request was started by another site (Fetch Metadata: <c>cross-site</c>, or <c>same-site</c>
    /// from a sibling host). Without the header (older browsers, tools) the request counts as the portal's own.
    /// </summary>
    private static bool FromAnotherSite(HttpRequest request) =>
        request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site";
}
