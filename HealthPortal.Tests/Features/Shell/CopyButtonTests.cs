using Bunit;
using HealthPortal.Features.Shell;
using HealthPortal.Tests.Support;
using Microsoft.JSInterop;

namespace HealthPortal.Tests.Features.Shell;

public sealed class CopyButtonTests : PortalComponentTest
{
    [Fact]
    public void Click_CopiesTheWholeValue_AndSaysSo()
    {
        var copy = JSInterop.SetupVoid("navigator.clipboard.writeText", "abc-DEF_0123456789abcdefghijklmnopqrstuvwxyz0");
        copy.SetVoidResult();

        var button = Render<CopyButton>(p => p.Add(b => b.Value, "abc-DEF_0123456789abcdefghijklmnopqrstuvwxyz0").Add(b => b.What, "transaction id"));
        button.Find("button").Click();

        Assert.Single(copy.Invocations);
        Assert.Equal("true", button.Find("[data-testid='copy-button']").GetAttribute("data-copied"));
        Assert.Equal("Copy transaction id", button.Find("button").GetAttribute("aria-label"));
    }

    [Fact]
    public void Click_ClipboardRefused_KeepsTheButtonAndDoesNotClaimACopy()
    {
        JSInterop.SetupVoid("navigator.clipboard.writeText", _ => true).SetException(new JSException("NotAllowedError"));

        var button = Render<CopyButton>(p => p.Add(b => b.Value, "hash").Add(b => b.What, "anchored hash"));
        button.Find("button").Click();

        Assert.Equal("false", button.Find("[data-testid='copy-button']").GetAttribute("data-copied"));
    }
}
