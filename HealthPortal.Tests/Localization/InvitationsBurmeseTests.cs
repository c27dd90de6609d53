using AngleSharp.Html.Parser;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Invitations;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The staff invitation page (<see cref="AcceptInvitation"/>, server-rendered like the Identity pages) under Burmese,
/// fetched over HTTP as the login page is in <see cref="CultureSwitchTests"/>: the open invitation, its form's messages
/// after an empty post, and a link that is not valid. The facility's name is data, shown as registered.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class InvitationsBurmeseTests(PortalFactory portal)
{
    private const string Northgate = "demo-northgate";

    private async Task<HttpClient> BurmeseBrowserAsync()
    {
        var browser = portal.CreateBrowser();
        await browser.GetAsync("/culture?c=my&back=/");
        return browser;
    }

    private async Task<string> TokenAsync()
    {
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Northgate));
        var invitation = await portal.WithScopeAsync(s => s.GetRequiredService<StaffInvitations>().CreateAsync(manager, Northgate, null));
        Assert.True(invitation.IsOk, invitation.Message);
        return invitation.Value!.Token;
    }

    private static List<string> EnglishIn(string html)
    {
        var body = new HtmlParser().ParseDocument(html).Body!;
        var facility = DemoData.Facilities.Single(f => f.Id == Northgate).Name;
        return BurmeseText.Of(body).Select(t => t.Replace(facility, " ", StringComparison.Ordinal)).SelectMany(BurmeseText.EnglishWords).Distinct().ToList();
    }

    [Fact]
    public async Task OpenInvitation_UnderBurmese_ShowsNoEnglishBeyondTheFacilityName()
    {
        var browser = await BurmeseBrowserAsync();

        var html = await browser.GetStringAsync($"/Account/AcceptInvitation?token={Uri.EscapeDataString(await TokenAsync())}");

        Assert.Contains("ဝန်ထမ်းအဖြစ်", html);
        Assert.True(EnglishIn(html).Count == 0, "English on the Burmese invitation: " + string.Join(", ", EnglishIn(html)));
    }

    [Fact]
    public async Task EmptyPost_UnderBurmese_GivesTheFormsMessagesInBurmese()
    {
        var browser = await BurmeseBrowserAsync();
        var form = await HtmlForm.LoadAsync(browser, $"/Account/AcceptInvitation?token={Uri.EscapeDataString(await TokenAsync())}", "accept-invitation");
        form["Input.Password"] = "short";
        form["Input.ConfirmPassword"] = "other";

        var html = await (await form.PostAsync(browser)).Content.ReadAsStringAsync();

        Assert.Contains("သင်၏ အမည်ကို ထည့်ပါ။", html);
        Assert.Contains("စကားဝှက်သည် စာလုံး အနည်းဆုံး 12 လုံးနှင့် အများဆုံး 128 လုံး ဖြစ်ရပါမည်။", html);
        Assert.Contains("စကားဝှက်နှင့် အတည်ပြု စကားဝှက် မတူပါ။", html);
        Assert.True(EnglishIn(html).Count == 0, "English on the Burmese invitation form: " + string.Join(", ", EnglishIn(html)));
    }

    [Fact]
    public async Task UnknownLink_UnderBurmese_SaysSoInBurmese()
    {
        var browser = await BurmeseBrowserAsync();

        var html = await browser.GetStringAsync("/Account/AcceptInvitation?token=made-up");

        Assert.Contains("ဖိတ်ကြားချက် မမှန်ကန်တော့ပါ", html);
        Assert.Empty(EnglishIn(html));
    }
}
