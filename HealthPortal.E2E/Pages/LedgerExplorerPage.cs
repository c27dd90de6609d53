using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages;

/// <summary>Admin → Ledger explorer.</summary>
public sealed class LedgerExplorerPage(IPage page) : PortalPage(page)
{
    protected override string Path => "admin/ledger";

    public ILocator BlockHeights => TestId("block-height");

    public ILocator Block(long height) => TestId("blocks-table").Locator("tbody tr").Filter(new() { Has = Page.GetByTestId("block-height").GetByText($"#{height}", new() { Exact = true }) });

    public ILocator BlockTransactions => TestId("block-tx");

    public ILocator VerifyChain => TestId("verify-chain");

    public ILocator VerifyResult => TestId("verify-result");

    public ILocator Search => Page.GetByLabel("Search the ledger");

    public ILocator SearchButton => TestId("ledger-search-button");
}
