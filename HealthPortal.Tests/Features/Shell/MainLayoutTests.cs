using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Shell;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Shell;

public sealed class MainLayoutTests : PortalComponentTest
{
    public MainLayoutTests()
    {
        // Never opened here: nobody signed in carries an account id, so the layout keeps the default clock.
        Services.AddDbContextFactory<HealthPortal.Data.ApplicationDbContext>(db => db.UseSqlite("Data Source=:memory:"));
        Services.AddSingleton<UserTimes>();
    }

    [Fact]
    public void MainLayout_Interactive_MarksRootInteractiveForEndToEndTests()
    {
        Auth.SetNotAuthorized();

        var layout = Render<MainLayout>(parameters => parameters.Add(p => p.Body, (RenderFragment)(b => b.AddContent(0, "body"))));

        Assert.Equal("true", layout.Find("[data-interactive]").GetAttribute("data-interactive"));
    }

    [Fact]
    public void MainLayout_Prerendered_MarksRootNotInteractive()
    {
        SetRendererInfo(new RendererInfo("Static", false));
        Auth.SetNotAuthorized();

        var layout = Render<MainLayout>(parameters => parameters.Add(p => p.Body, (RenderFragment)(b => b.AddContent(0, "body"))));

        Assert.Equal("false", layout.Find("[data-interactive]").GetAttribute("data-interactive"));
    }

    [Fact]
    public void MainLayout_ShowsProductNameAndSignedInUser()
    {
        Auth.SetAuthorized("admin@demo.healthportal.test");
        Auth.SetRoles(Roles.Admin);
        Auth.SetClaims(new System.Security.Claims.Claim(PortalClaims.DisplayName, "Consortium Administrator"));

        var layout = Render<MainLayout>(parameters => parameters.Add(p => p.Body, (RenderFragment)(b => b.AddContent(0, "body"))));

        Assert.Contains("HealthPortal", layout.Find(".brand").TextContent);
        Assert.Contains("Consortium Administrator", layout.Find(".app-bar-user").TextContent);
    }
}
