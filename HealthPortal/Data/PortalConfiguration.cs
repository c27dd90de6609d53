using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace HealthPortal.Data;

public static class PortalConfiguration
{
    /// <summary>
    /// The deployment file is the repository's root appsettings.json, linked into the build output. When the
    /// content root has none (tests, a published app started elsewhere) the copy beside the executable is
    /// read instead, at the same precedence. <c>--data DIR</c> is a short form of <c>--HealthPortal:DataFolder DIR</c>.
    /// </summary>
    public static WebApplicationBuilder AddPortalConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var sources = builder.Configuration.Sources;
        if (!File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")))
        {
            var baseDirectory = new PhysicalFileProvider(AppContext.BaseDirectory);
            var at = sources.Select((source, index) => (source, index))
                .Where(s => s.source is JsonConfigurationSource { Path: not null } json && json.Path.StartsWith("appsettings.", StringComparison.Ordinal))
                .Select(s => s.index + 1)
                .DefaultIfEmpty(0)
                .Max();
            sources.Insert(at, Json(baseDirectory, "appsettings.json"));
            sources.Insert(at + 1, Json(baseDirectory, $"appsettings.{builder.Environment.EnvironmentName}.json"));
        }

        builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--data"] = "HealthPortal:DataFolder" });
        return builder;
    }

    private static JsonConfigurationSource Json(IFileProvider files, string path) => new()
    {
        FileProvider = files,
        Path = path,
        Optional = true,
        ReloadOnChange = false,
    };
}
