using Microsoft.AspNetCore.HostFiltering;

namespace HealthPortal.Features.Security;

public static class PublicHostingExtensions
{
    /// <summary>
    /// <c>HealthPortal:PublicBaseUrl</c> and host filtering. Outside Development only the base URL's host (and any
    /// host listed in <c>AllowedHosts</c>) may appear in the Host header; anything else gets 400 before it can be
    /// reflected into a redirect or a link. Development keeps accepting any host.
    /// </summary>
    public static WebApplicationBuilder AddPublicUrls(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        var urls = PublicUrls.From(builder.Configuration[PublicUrls.Key], development);
        builder.Services.AddSingleton(urls);
        if (development) return builder;

        var listed = (builder.Configuration["AllowedHosts"] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (listed.Contains("*"))
        {
            throw new InvalidOperationException(
                $"AllowedHosts '*' accepts any Host header outside Development. Remove it (the host of {PublicUrls.Key} is allowed) or list host names.");
        }
        string[] hosts = [urls.Base!.Host, .. listed];
        builder.Services.Configure<HostFilteringOptions>(options => options.AllowedHosts = hosts);
        return builder;
    }
}
