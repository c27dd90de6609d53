using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages;

/// <summary>"Join the network": a facility applies (anonymous).</summary>
public sealed class JoinPage(IPage page) : PortalPage(page)
{
    protected override string Path => "join";

    public ILocator Name => Page.GetByLabel("Organisation name");

    public ILocator Contact => Page.GetByLabel("Contact");

    public ILocator Endpoint => Page.GetByLabel("Node endpoint");

    public ILocator Kind(string kind) => Page.GetByRole(AriaRole.Radio, new() { Name = kind, Exact = true });

    public ILocator Apply => TestId("join-submit");

    public ILocator Outcome => TestId("join-outcome");

    public ILocator Status => TestId("join-status");

    public ILocator Height => TestId("join-height");

    public ILocator Fingerprint => TestId("join-fingerprint");

    public ILocator Error => TestId("join-error");

    /// <summary>The helper text under the name field when it is in error (MudBlazor marks it mud-input-error).</summary>
    public ILocator NameError => Page.Locator(".mud-input-control", new() { Has = Name }).Locator(".mud-input-helper-text.mud-input-error");

    public ILocator PowProgress => TestId("pow-progress");

    public ILocator CancelStamp => TestId("pow-cancel");

    public async Task ApplyAsync(string name, string kind, string contact, string endpoint)
    {
        await Name.FillAsync(name);
        await Kind(kind).CheckAsync();
        await Contact.FillAsync(contact);
        await Endpoint.FillAsync(endpoint);
        await Apply.ClickAsync();
    }
}
