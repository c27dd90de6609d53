using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Http.Features;

namespace HealthPortal.Features.Security;

public static class PortalSecurityExtensions
{
    /// <summary>Rate limits, antiforgery cookie and HSTS settings.</summary>
    public static WebApplicationBuilder AddPortalSecurity(this WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new();
        builder.Services.AddRateLimiter(limiter =>
        {
            RateLimitPolicies.Add(limiter, limits);
            limiter.OnRejected = RateLimitRejection.WriteAsync;
        });

        // Work done over a circuit (no HTTP request per event) is limited per client by the circuit's address.
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CircuitClientAddress>();
        builder.Services.AddScoped<CircuitHandler, ClientAddressCircuitHandler>();
        builder.Services.AddSingleton(_ => new IdentityLookupLimiter(limits.IdentityLookup));

        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        builder.Services.Configure<FormOptions>(options => options.ValueCountLimit = 256);
        return builder;
    }

    /// <summary>Security headers first (so every response carries them), then HSTS/HTTPS outside development,
    /// the error pages, and the rate limiter as soon as routing has found the endpoint (and its policy).</summary>
    public static WebApplication UsePortalSecurity(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (app.Environment.IsDevelopment())
        {
            app.UseMigrationsEndPoint();
        }
        else
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseHttpsRedirection();

        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }
}
