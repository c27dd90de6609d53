using HealthPortal.Features.Admin;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The admin portal's pages under Burmese, fetched over HTTP as the server renders them for the demo admin (switched to
/// Burmese by the culture cookie only, so the account's saved language stays English): the overview
/// (<see cref="AdminDashboard"/>), the accounts (<see cref="AdminAccounts"/>), the identity checks
/// (<see cref="IdentityChecksPage"/>), the mail queue (<see cref="MailOutboxPage"/>) and the admin's wallet
/// (<see cref="AdminWalletPage"/>). What people entered or the system holds (facility names and contacts, node key ids,
/// account names and addresses, mail subjects and relay errors, wallet addresses) is data.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AdminBurmeseTests(PortalFactory portal)
{
    private async Task<List<string?>> DataAsync()
    {
        var facilities = await portal.QueryAsync(db => db.Facilities.Select(f => new[] { f.Name, f.Contact, f.NodeKeyId }).ToListAsync());
        var users = await portal.QueryAsync(db => db.Users.Select(u => new[] { u.DisplayName, u.Email }).ToListAsync());
        // The identity checks list the patients' names, NRC numbers and phones as entered, by any test of the collection
        // that ran before this one ("Someone Typing"), so every profile's are data here.
        var patients = await portal.QueryAsync(db => db.PatientProfiles.Select(p => new[] { p.FullName, p.NationalId, p.Phone }).ToListAsync());
        return [.. facilities.SelectMany(f => f), .. users.SelectMany(u => u), .. patients.SelectMany(p => p)];
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/accounts")]
    [InlineData("/admin/identity-checks")]
    [InlineData("/admin/mail")]
    [InlineData("/admin/wallet")]
    public async Task AdminPage_UnderBurmese_ShowsNoEnglishBeyondData(string path)
    {
        var browser = await AccessBurmeseTests.InBurmeseAsync(await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Admin)));

        var body = AccessBurmeseTests.BodyOf(await browser.GetStringAsync(path));

        // Mail subjects and relay errors are the mail's own text (e-mails are not localized yet) and the relay's words.
        var mail = body.QuerySelectorAll("[data-testid='mail-subject'], [data-testid='mail-error'], [data-testid='mail-to']").Select(e => e.TextContent.Trim());
        var wallets = body.QuerySelectorAll("[data-testid='wallet-admin'] td.mono, [data-testid='admin-wallet-address']").Select(e => e.TextContent.Trim());
        BurmeseText.AssertBurmeseBeyond(BurmeseText.Of(body).ToList(), [.. await DataAsync(), .. mail, .. wallets], $"the Burmese {path}");
    }
}
