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
    // bUnit's default wait is 1 s. Pages that load records do their first EF Core query, store schema check and FHIR
    // serialization in the test process on first use, and on 2 shared cores under CI load that alone took longer
    // (MyRecordsPageTests and SharedRecordsPanelTests failed with "the wait condition was never checked"). A wait that
    // is never satisfied still fails, 15 s later instead of 1 s.
    static PortalComponentTest() => DefaultWaitTimeout = TimeSpan.FromSeconds(15);

    protected PortalComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // Components read their words through IStringLocalizer (resources beside each component, Features/Localization).
        Services.AddLocalization();
        Services.AddTransient<MudBlazor.MudLocalizer, HealthPortal.Features.Localization.MudWords>(); // MudBlazor's own words, as the app registers them
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
