using System.Buffers.Text;
using System.Net;
using AngleSharp.Html.Parser;
using HealthPortal.Components.Account.Pages;
using HealthPortal.Components.Account.Pages.Manage;
using HealthPortal.Components.Account.Shared;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The static Identity pages (Components/Account) under Burmese, fetched over HTTP as a browser does: they are
/// server-rendered with the request's HttpContext, which bUnit does not give them. Pages a visitor opens:
/// <see cref="Register"/>, <see cref="RegisterConfirmation"/>, <see cref="ConfirmEmail"/>, <see cref="ConfirmEmailChange"/>,
/// <see cref="ForgotPassword"/>, <see cref="ForgotPasswordConfirmation"/>, <see cref="ResetPassword"/>,
/// <see cref="ResetPasswordConfirmation"/>, <see cref="InvalidPasswordReset"/>, <see cref="ResendEmailConfirmation"/>,
/// <see cref="LoginWith2fa"/>, <see cref="LoginWithRecoveryCode"/>, <see cref="Lockout"/>, <see cref="AccessDenied"/>, <see cref="InvalidUser"/>;
/// the account settings in <see cref="ManageLayout"/> with <see cref="ManageNavMenu"/>: <see cref="Index"/>,
/// <see cref="Email"/>, <see cref="ChangePassword"/>, <see cref="SetPassword"/>, <see cref="TwoFactorAuthentication"/>,
/// <see cref="EnableAuthenticator"/>, <see cref="Disable2fa"/>, <see cref="ResetAuthenticator"/>,
/// <see cref="GenerateRecoveryCodes"/> with <see cref="ShowRecoveryCodes"/>, <see cref="Passkeys"/>,
/// <see cref="RenamePasskey"/>, <see cref="Sessions"/>, <see cref="PersonalData"/>, <see cref="DeletePersonalData"/>,
/// <see cref="SecondFactorRequired"/>; and the refusals each form shows in <see cref="StatusMessage"/>.
/// What people entered (names, addresses) and the session list's browser names (stored at sign-in) are data.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AccountBurmeseTests(PortalFactory portal)
{
    private const string TwelveChars = "twelve chars";

    /// <summary>The session list's browser name, written at sign-in by Features/Auth's UserAgentSummary (data of the session).</summary>
    private const string TestBrowser = "Unknown browser";

    private async Task<HttpClient> BurmeseAsync(HttpClient browser)
    {
        await browser.GetAsync("/culture?c=my&back=/");
        return browser;
    }

    private static List<string> TextsOf(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        // The authenticator key to type is data in <kbd>, like ids in <code>.
        foreach (var key in document.QuerySelectorAll("kbd").ToList()) key.Remove();
        return [.. BurmeseText.Of(document.Body!)];
    }

    private static async Task<string> PageAsync(HttpClient browser, string path)
    {
        var response = await browser.GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode} {response.Headers.Location}");
        return await response.Content.ReadAsStringAsync();
    }

    [Theory]
    [InlineData("/Account/Register")]
    [InlineData("/Account/RegisterConfirmation")]
    [InlineData("/Account/ForgotPassword")]
    [InlineData("/Account/ForgotPasswordConfirmation")]
    [InlineData("/Account/ResetPassword?code=eA")]
    [InlineData("/Account/ResetPasswordConfirmation")]
    [InlineData("/Account/InvalidPasswordReset")]
    [InlineData("/Account/ResendEmailConfirmation")]
    [InlineData("/Account/ConfirmEmail?userId=nobody&code=eA")]
    [InlineData("/Account/ConfirmEmailChange?userId=nobody&email=nobody%40tests.healthportal.test&code=eA")]
    [InlineData("/Account/Lockout")]
    [InlineData("/Account/AccessDenied")]
    [InlineData("/Account/InvalidUser")]
    public async Task VisitorPage_UnderBurmese_ShowsNoEnglish(string path)
    {
        var browser = await BurmeseAsync(portal.CreateBrowser());

        var html = await PageAsync(browser, path);

        Assert.Contains("<html lang=\"my\">", html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [], path);
    }

    [Theory]
    [InlineData("/Account/Register", "register", "သင်၏ အမည်ကို ထည့်ပါ။")]
    [InlineData("/Account/ForgotPassword", "forgot-password", "သင်၏ အီးမေးလ် လိပ်စာကို ထည့်ပါ။")]
    [InlineData("/Account/ResendEmailConfirmation", "resend-email-confirmation", "သင်၏ အီးမေးလ် လိပ်စာကို ထည့်ပါ။")]
    [InlineData("/Account/ResetPassword?code=eA", "reset-password", "စကားဝှက်တစ်ခု ရွေးပါ။")]
    public async Task EmptyForm_UnderBurmese_RefusesInBurmese(string path, string form, string message)
    {
        var browser = await BurmeseAsync(portal.CreateBrowser());
        var empty = await HtmlForm.LoadAsync(browser, path, form);

        var html = await (await empty.PostAsync(browser)).Content.ReadAsStringAsync();

        Assert.Contains(message, html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [], path);
    }

    [Fact]
    public async Task Register_GuessablePassword_RefusedInBurmese()
    {
        var browser = await BurmeseAsync(portal.CreateBrowser());
        var form = await HtmlForm.LoadAsync(browser, "/Account/Register", "register");
        form["Input.DisplayName"] = "ဒေါ်သီတာ";
        form["Input.Email"] = $"thida-{Guid.NewGuid():N}@tests.healthportal.test";
        form["Input.Password"] = form["Input.ConfirmPassword"] = "aaaaaaaaaaaaaaaa";

        var html = await (await form.PostAsync(browser)).Content.ReadAsStringAsync();

        // The password validator of Features/Auth refuses in English (this one is on its leaked list); the page reads
        // its code in the reader's words.
        Assert.Contains("အမှား- ဤစကားဝှက်သည် ပေါက်ကြားခဲ့ပြီး", html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [form["Input.DisplayName"], form["Input.Email"]], "the refused sign-up");
    }

    [Fact]
    public async Task SignUp_ConfirmationLink_ThanksInBurmese()
    {
        var browser = await BurmeseAsync(portal.CreateBrowser());
        var email = $"thida-{Guid.NewGuid():N}@tests.healthportal.test";
        var form = await HtmlForm.LoadAsync(browser, "/Account/Register", "register");
        form["Input.DisplayName"] = "ဒေါ်သီတာ";
        form["Input.Email"] = email;
        form["Input.Password"] = form["Input.ConfirmPassword"] = TwelveChars;
        Assert.Equal(HttpStatusCode.Redirect, (await form.PostAsync(browser)).StatusCode);

        // Signed up under Burmese: the account's language is Burmese from the start, so is the mail.
        var mail = Assert.Single(portal.MailTo(email));
        Assert.Equal("သင်၏ HealthPortal အီးမေးလ် လိပ်စာကို အတည်ပြုပါ", mail.Subject);
        var html = await PageAsync(browser, new Uri(mail.LinkTo("/Account/ConfirmEmail")!).PathAndQuery);

        Assert.Contains("သင်၏ အီးမေးလ်ကို အတည်ပြုပေးသည့်အတွက် ကျေးဇူးတင်ပါသည်။", html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [], "the confirmed address");
    }

    [Theory]
    [InlineData("/Account/Manage")]
    [InlineData("/Account/Manage/Email")]
    [InlineData("/Account/Manage/ChangePassword")]
    [InlineData("/Account/Manage/TwoFactorAuthentication")]
    [InlineData("/Account/Manage/EnableAuthenticator")]
    [InlineData("/Account/Manage/ResetAuthenticator")]
    [InlineData("/Account/Manage/Passkeys")]
    [InlineData("/Account/Manage/Sessions")]
    [InlineData("/Account/Manage/PersonalData")]
    [InlineData("/Account/Manage/DeletePersonalData")]
    [InlineData("/Account/Manage/SecondFactorRequired")]
    public async Task SettingsPage_UnderBurmese_ShowsNoEnglish(string path)
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await BurmeseAsync(await portal.SignInAsync(user.Email!));

        var html = await PageAsync(browser, path);

        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [user.DisplayName, TestBrowser], path);
    }

    [Theory]
    [InlineData("/Account/Manage/ChangePassword", "change-password", "သင်၏ လက်ရှိ စကားဝှက်ကို ထည့်ပါ။")]
    [InlineData("/Account/Manage/DeletePersonalData", "delete-user", "အမှား- စကားဝှက် မှားနေပါသည်။")]
    [InlineData("/Account/Manage/EnableAuthenticator", "send-code", "သင်၏ အတည်ပြုအက်ပ်မှ ဂဏန်း ၆ လုံး ကုဒ်ကို ထည့်ပါ။")]
    public async Task SettingsForm_Refused_SaysWhyInBurmese(string path, string form, string message)
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await BurmeseAsync(await portal.SignInAsync(user.Email!));
        var empty = await HtmlForm.LoadAsync(browser, path, form);

        var html = await (await empty.PostAsync(browser)).Content.ReadAsStringAsync();

        Assert.Contains(message, html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [user.DisplayName], path);
    }

    [Fact]
    public async Task SetPassword_ForAnAccountWithoutOne_IsBurmese()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await BurmeseAsync(await portal.SignInAsync(user.Email!));
        await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.RemovePasswordAsync((await users.FindByIdAsync(user.Id))!);
        });

        var html = await PageAsync(browser, "/Account/Manage/SetPassword");

        Assert.Contains("သင်၏ အကောင့်တွင် စကားဝှက် မရှိသေးပါ။", html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [user.DisplayName], "the set-password page");
    }

    [Fact]
    public async Task SecondFactorPages_UnderBurmese_ShowNoEnglish()
    {
        // Staff come with an authenticator and no recovery codes: the two-factor page warns, the others open.
        var user = await portal.CreateUserAsync(Roles.FacilityStaff);
        var browser = await BurmeseAsync(await portal.SignInAsync(user.Email!));
        var texts = new List<string>();
        foreach (var path in new[] { "/Account/Manage/TwoFactorAuthentication", "/Account/Manage/Disable2fa", "/Account/Manage/GenerateRecoveryCodes" })
        {
            texts.AddRange(TextsOf(await PageAsync(browser, path)));
        }
        var generate = await HtmlForm.LoadAsync(browser, "/Account/Manage/GenerateRecoveryCodes", "generate-recovery-codes");

        var codes = await (await generate.PostAsync(browser)).Content.ReadAsStringAsync();

        Assert.Contains("ပြန်လည်ရယူရေးကုဒ် အသစ်များ ထုတ်ပြီးပါပြီ။", codes);
        Assert.Contains("သင့်တွင် ပြန်လည်ရယူရေးကုဒ် မကျန်တော့ပါ။", string.Join("\n", texts));
        BurmeseText.AssertBurmeseBeyond([.. texts, .. TextsOf(codes)], [user.DisplayName], "the two-factor settings");
    }

    [Fact]
    public async Task TwoFactorStep_WrongCode_RefusedInBurmese()
    {
        var user = await portal.CreateUserAsync(Roles.FacilityStaff);
        var browser = await BurmeseAsync(portal.CreateBrowser());
        var step = (await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword)).Headers.Location!.OriginalString;

        var html = await (await PortalFactory.PostSecondFactorAsync(browser, step, "000000")).Content.ReadAsStringAsync();

        Assert.Contains("အမှား- အတည်ပြုကုဒ် မှားနေပါသည်။", html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [], "the two-factor step");
    }

    [Fact]
    public async Task RecoveryCodeStep_WrongCode_RefusedInBurmese()
    {
        var user = await portal.CreateUserAsync(Roles.FacilityStaff);
        var browser = await BurmeseAsync(portal.CreateBrowser());
        Assert.Contains("LoginWith2fa", (await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword)).Headers.Location?.OriginalString);
        var form = await HtmlForm.LoadAsync(browser, "/Account/LoginWithRecoveryCode", "login-with-recovery-code");
        form["Input.RecoveryCode"] = "not-a-code";

        var html = await (await form.PostAsync(browser)).Content.ReadAsStringAsync();

        Assert.Contains("အမှား- ထည့်သွင်းသော ပြန်လည်ရယူရေးကုဒ် မှားနေပါသည်။", html);
        BurmeseText.AssertBurmeseBeyond(TextsOf(html), [], "the recovery-code step");
    }

    [Fact]
    public async Task Passkeys_WithOneUnnamed_ListAndRenameInBurmese()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var credentialId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        await portal.WithScopeAsync(async services =>
        {
            // A stored passkey as a browser's attestation leaves it; the pages only list and rename it.
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var passkey = new UserPasskeyInfo(credentialId, [1, 2, 3], DateTimeOffset.UtcNow, 0, ["internal"], true, false, false, [4], [5]);
            return await users.AddOrUpdatePasskeyAsync((await users.FindByIdAsync(user.Id))!, passkey);
        });
        var browser = await BurmeseAsync(await portal.SignInAsync(user.Email!));
        var rename = $"/Account/Manage/RenamePasskey/{Base64Url.EncodeToString(credentialId)}";

        var list = await PageAsync(browser, "/Account/Manage/Passkeys");
        var form = await HtmlForm.LoadAsync(browser, rename, "rename-passkey");
        var refused = await (await form.PostAsync(browser)).Content.ReadAsStringAsync();

        Assert.Contains("အမည်မရှိသော ပတ်စ်ကီး", list);
        Assert.Contains("ပတ်စ်ကီးကို အမည်တစ်ခု ပေးပါ။", refused);
        BurmeseText.AssertBurmeseBeyond([.. TextsOf(list), .. TextsOf(refused)], [user.DisplayName], "the passkey pages");
    }
}
