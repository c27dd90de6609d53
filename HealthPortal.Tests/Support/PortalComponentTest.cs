using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace HealthPortal.Tests.Support;

/// <summary>
/// Shared bUnit base: MudBlazor services, loose JS interop (MudBlazor calls into its script freely), an
/// interactive server renderer, and a fake authorization context. xUnit disposes it asynchronously so
/// MudBlazor's IAsyncDisposable components are torn down properly.
/// </summary>
public abstract class PortalComponentTest : BunitContext, IAsyncLifetime
{
    protected PortalComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // No configured public base in component tests: absolute links fall back to the test renderer's base.
        Services.AddSingleton(new HealthPortal.Features.Security.PublicUrls(null));
        Auth = AddAuthorization();
    }

    protected BunitAuthorizationContext Auth { get; }

    /// <summary>Register services and sign in here; the service provider is sealed once the renderer exists.</summary>
    protected virtual Task ConfigureAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await ConfigureAsync();
        SetRendererInfo(new RendererInfo("Server", true));
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
