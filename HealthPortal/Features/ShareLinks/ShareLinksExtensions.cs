using System.Text.Json.Serialization;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Security;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.ShareLinks;

public static class ShareLinksExtensions
{
    public const string RateLimitPolicy = "share-links";
    public const string ViewerPath = "/shl/view";
    public const string ViewerFile = "shl-viewer.html";

    public const string BundlePath = "/patient/share/bundle";

    public static string ManifestPath(string id) => $"/shl/{id}/manifest";

    /// <summary>Share links (SMART Health Links): the store, the patient's and the recipient's services, the access-history source, the rate limit.</summary>
    public static WebApplicationBuilder AddShareLinks(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShareLinkOptions>().Bind(builder.Configuration.GetSection(ShareLinkOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new ShareLinkStore(
            Path.Combine(sp.GetRequiredService<IOptions<PortalDataOptions>>().Value.DataFolderFullPath, "share-links.db")));
        builder.Services.AddSingleton<ShareLinkManifests>();
        builder.Services.AddSingleton<AnchorStatus>();
        builder.Services.AddScoped<PatientShareLinks>();
        builder.Services.AddScoped<IShareLinkOpenings, ShareLinkOpeningsSource>();
        var limits = builder.Configuration.GetSection(ShareLinkOptions.Section).Get<ShareLinkOptions>() ?? new();
        // Anonymous and guessable by design (a PIN is a few digits): a fixed window per client address on top of the lockout.
        var window = new RateLimitWindow { PermitLimit = limits.PermitLimit, WindowSeconds = limits.WindowSeconds };
        builder.Services.Configure<RateLimiterOptions>(limiter =>
            limiter.AddPolicy(RateLimitPolicy, context => RateLimitPolicies.PerClient(context, RateLimitPolicy, window)));
        return builder;
    }

    /// <summary>The spec's manifest request body.</summary>
    public sealed record ManifestBody(
        [property: JsonPropertyName("recipient")] string? Recipient,
        [property: JsonPropertyName("passcode")] string? Passcode,
        [property: JsonPropertyName("embeddedLengthMax")] int? EmbeddedLengthMax);

    /// <summary>
    /// The anonymous endpoints (manifest, anchor status, the viewer page) and the patient's bundle download. The manifest
    /// answers with CORS open to any origin, as the spec expects of a manifest (any SHL viewer may fetch it); the
    /// ciphertext is useless without the key in the link.
    /// </summary>
    public static WebApplication MapShareLinkEndpoints(this WebApplication app)
    {
        var shl = app.MapGroup("/shl").AllowAnonymous();

        shl.MapMethods("/{id}/manifest", ["OPTIONS"], (HttpContext http) =>
        {
            Cors(http);
            http.Response.Headers.AccessControlAllowMethods = "POST";
            http.Response.Headers.AccessControlAllowHeaders = "Content-Type";
            return Results.NoContent();
        });

        shl.MapPost("/{id}/manifest", async (string id, ManifestBody? body, HttpContext http, ShareLinkManifests manifests) =>
        {
            Cors(http);
            if (body is null || string.IsNullOrWhiteSpace(body.Recipient))
                return Results.Json(new { error = "invalid-request", message = "Say who you are in \"recipient\" (the patient sees it)." }, statusCode: 400);
            var request = new ManifestRequest(body.Recipient, body.Passcode,
                ApproximateClient.Family(http.Request.Headers.UserAgent), ApproximateClient.Network(http.Connection.RemoteIpAddress));
            var (result, remaining) = await manifests.RetrieveAsync(id, request);
            if (result.IsOk)
                return Results.Json(new { files = new[] { new { contentType = "application/fhir+json", embedded = result.Value } } });
            var code = result.Error switch
            {
                ShareLinkError.WrongPin => "wrong-pin",
                ShareLinkError.Locked => "locked",
                ShareLinkError.Expired => "expired",
                ShareLinkError.Revoked => "revoked",
                _ => "not-found",
            };
            var status = result.Error switch
            {
                ShareLinkError.WrongPin => StatusCodes.Status401Unauthorized,
                ShareLinkError.NotFound => StatusCodes.Status404NotFound,
                _ => StatusCodes.Status410Gone,
            };
            return Results.Json(new { error = code, message = result.Message, remainingAttempts = remaining }, statusCode: status);
        }).RequireRateLimiting(RateLimitPolicy).DisableAntiforgery();

        shl.MapGet("/anchors/{txId}", (string txId, string? hash, HttpContext http, AnchorStatus anchors) =>
        {
            Cors(http);
            return Results.Json(anchors.Check(txId, hash));
        }).RequireRateLimiting(RateLimitPolicy);

        // A plain page, not a Blazor one: a Blazor circuit tells the server the whole address, fragment included, and
        // the fragment is where the key is.
        app.MapGet(ViewerPath, (IWebHostEnvironment env) =>
        {
            var file = env.WebRootFileProvider.GetFileInfo(ViewerFile);
            return file.Exists ? Results.File(file.CreateReadStream(), "text/html; charset=utf-8") : Results.NotFound();
        }).AllowAnonymous();

        // "for" names the person a delegate acts for (absent: the caller's own records); the service decides again, per
        // request, whether the caller may share that person's records, so a revoked delegation is refused here too.
        app.MapGet(BundlePath, async (HttpContext http, PatientShareLinks links, CancellationToken ct) =>
        {
            var txIds = http.Request.Query["tx"].OfType<string>().ToList();
            var forMpi = http.Request.Query["for"].FirstOrDefault();
            var bundle = await links.BundleJsonAsync(http.User, string.IsNullOrEmpty(forMpi) ? null : forMpi, txIds, ct);
            return bundle.IsOk
                ? Results.Text(bundle.Value!, "application/fhir+json")
                : Results.Json(new { error = bundle.Error.ToString(), message = bundle.Message },
                    statusCode: bundle.Error is ShareLinkError.Forbidden or ShareLinkError.NotRegistered ? 403 : 422);
        }).RequireAuthorization(PortalPolicies.PatientPortal);
        return app;
    }

    private static void Cors(HttpContext http) => http.Response.Headers.AccessControlAllowOrigin = "*";
}
