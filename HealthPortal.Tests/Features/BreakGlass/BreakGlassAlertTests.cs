using Bunit;
using HealthPortal.Features.Access;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Tests.Support;
using HealthPortal.Features.DemoMode;
using HealthPortal.Tests.Features.Interop;

namespace HealthPortal.Tests.Features.BreakGlass;

public sealed class BreakGlassAlertTests : PortalComponentTest
{
    private static AccessView Access(string? breakGlassCode, string? words = null) => new(
        "tx-1", "1234-5678-9012", "node-1", "Riverside General Hospital", "staff-91bc", null,
        [new AccessedRecord("node-1/rec-1", "node-1", "Riverside General Hospital", "rec-1", "encounter", "2026-11-19")],
        "emergency", null, breakGlassCode, DateTimeOffset.UtcNow.AddDays(-2), 12, 0) { BreakGlassText = words };

    [Fact]
    public void BreakGlassAlert_WithABreakGlassAccess_ShowsFacilityReasonAndLink()
    {
        var alert = Render<BreakGlassAlert>(p => p.Add(a => a.Accesses, [Access("unconscious", "Unconscious on arrival")]));

        var item = alert.Find("[data-testid='break-glass-alert-item']");
        Assert.Contains("Riverside General Hospital", item.TextContent);
        Assert.Contains("Patient unconscious", item.TextContent);
        Assert.Contains("Unconscious on arrival", item.TextContent);
        Assert.Equal("patient/access", alert.Find("[data-testid='break-glass-alert-link']").GetAttribute("href"));
    }

    [Fact]
    public void BreakGlassAlert_WithoutBreakGlassAccess_RendersNothing()
    {
        var alert = Render<BreakGlassAlert>(p => p.Add(a => a.Accesses, []));

        Assert.Empty(alert.FindAll("[data-testid='break-glass-alert']"));
    }
}
