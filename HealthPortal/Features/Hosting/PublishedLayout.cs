using System.Reflection;
using System.Text.Json;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// A published node is started from wherever its service manager chooses (systemd's WorkingDirectory is usually the
/// data's parent, not /opt/healthportal), while its static files (<c>wwwroot</c>: the app's CSS and JS, MudBlazor's,
/// Blazor's) sit beside the executable. The content root stays the working folder (the data folder and an operator's
/// appsettings are found there); the web root follows the executable when the working folder has none.
/// </summary>
public static class PublishedLayout
{
    public static WebApplicationOptions Options(string[] args)
    {
        var options = new WebApplicationOptions { Args = args };
        // Only for the portal's own process: a test host chooses its content and web roots itself.
        if (Assembly.GetEntryAssembly() != typeof(PublishedLayout).Assembly) return options;
        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var here = Path.Combine(Environment.CurrentDirectory, "wwwroot");
        return Directory.Exists(here) || !Directory.Exists(beside) ? options : new WebApplicationOptions { Args = args, WebRootPath = beside };
    }
}

/// <summary>
/// Outside Development, static files are served from the web root as listed in the build's endpoint manifest. When a
/// listed file is not there (the app was started from <c>dotnet build</c> output, or a deployment lost its wwwroot),
/// pages would load without style or interactivity, so the node refuses to start and says which file is missing.
/// </summary>
public static class StaticAssetCheck
{
    public static void Run(IWebHostEnvironment environment, ILogger logger)
    {
        // A test host serves no browser; its web root is the project folder's, which never holds the packages' assets.
        if (Assembly.GetEntryAssembly() != typeof(StaticAssetCheck).Assembly) return;
        var manifest = Path.Combine(AppContext.BaseDirectory, $"{environment.ApplicationName}.staticwebassets.endpoints.json");
        if (!File.Exists(manifest))
            throw new InvalidOperationException($"the static asset manifest {manifest} is missing: run the portal from the output of `dotnet publish` (see docs/deploy.md)");

        var missing = Missing(manifest, environment.WebRootFileProvider);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{missing.Count} static file(s) the pages need are missing from the web root {environment.WebRootPath} (first: {missing[0]}): " +
                "run the portal from the output of `dotnet publish`, whose wwwroot holds them (see docs/deploy.md)");
        }
        logger.LogInformation("Static files served from {WebRoot}", environment.WebRootPath);
    }

    public static List<string> Missing(string manifest, Microsoft.Extensions.FileProviders.IFileProvider webRoot)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(manifest));
        return json.RootElement.GetProperty("Endpoints").EnumerateArray()
            .Select(endpoint => endpoint.GetProperty("AssetFile").GetString())
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Where(file => !webRoot.GetFileInfo(file).Exists)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
