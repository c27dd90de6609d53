using HealthPortal.E2E.Infrastructure;
using HealthPortal.Features.Email;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Localization;

/// <summary>
/// Issue 15, the "sign up" journey: a new patient picks Burmese on the sign-up page, is refused a password that does
/// not match its confirmation, creates the account, opens the confirmation link from the e-mail, signs in and is sent
/// on to set up their key. Every Identity page on the way (Components/Account) shows none of its English sentences
/// and is drawn with Noto Sans Myanmar. The e-mail itself is not in Burmese yet (docs/localization.md). Screenshots in
/// bin/…/artifacts/localization.
/// </summary>
public sealed class BurmeseSignUpJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Password = "ရန်ကုန် မိုး ရာသီ 2026";

    [Fact]
    public async Task NewPatient_InBurmese_SignsUpConfirmsAndIsSentToSetUpTheirKey()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "localization");
        Directory.CreateDirectory(folder);
        var email = $"thida-{Guid.NewGuid():N}@signup.example";

        await Page.GotoAsync("Account/Register");
        await Page.GetByTestId("language-my").ClickAsync();
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "my", new() { Timeout = 30_000 });
        await Expect(Page.Locator("h1")).ToHaveTextAsync("လူနာ အကောင့် ဖွင့်ရန်");
        await MyanmarFont.ExpectDrawsAsync(Page, Output, "h1");
        await ExpectNoEnglishSentenceAsync(Page);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "register-my.png"), FullPage = true });

        await FillAsync("ဒေါ်သီတာ", email, Password, Password + " x");
        await Expect(Page.Locator(".validation-message").First).ToHaveTextAsync("စကားဝှက်နှင့် အတည်ပြု စကားဝှက် မတူပါ။", new() { Timeout = 30_000 });
        await ExpectNoEnglishSentenceAsync(Page);

        await FillAsync("ဒေါ်သီတာ", email, Password, Password);
        await Page.WaitForPathAsync("/Account/RegisterConfirmation", 30_000);
        await Expect(Page.GetByTestId("register-confirmation")).ToContainTextAsync("စာတစ်စောင် ပို့ထားပါသည်");
        await MyanmarFont.ExpectDrawsAsync(Page, Output, "[data-testid='register-confirmation']");
        await ExpectNoEnglishSentenceAsync(Page);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "register-confirmation-my.png"), FullPage = true });

        var outbox = Host.Services.GetRequiredService<PortalEmailSender>().PickupFolder;
        var link = Assert.Single(PickupOutbox.For(outbox, email)).LinkTo("/Account/ConfirmEmail");
        await Page.GotoAsync(new Uri(link!).PathAndQuery.TrimStart('/'));
        await Expect(Page.Locator(".alert-success")).ToHaveTextAsync("သင်၏ အီးမေးလ်ကို အတည်ပြုပေးသည့်အတွက် ကျေးဇူးတင်ပါသည်။");
        await MyanmarFont.ExpectDrawsAsync(Page, Output, ".alert-success");
        await ExpectNoEnglishSentenceAsync(Page);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "confirm-email-my.png"), FullPage = true });

        // Signing in from the confirmation page keeps Burmese; the next step of a new patient is their details and key.
        await Page.Locator(".account-links a[href='Account/Login']").ClickAsync();
        await Page.WaitForPathAsync("/Account/Login");
        await Page.Locator("input[name='Input.Email']").FillAsync(email);
        await Page.Locator("input[name='Input.Password']").FillAsync(Password);
        await Page.Locator("input[name='Input.Password']").PressAsync("Enter");
        await Page.WaitForPathAsync("/patient", 30_000);
        await Page.GotoAsync("patient/key");
        await Page.WaitForInteractiveAsync();
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "my");
        await Expect(Page.GetByTestId("key-needs-profile")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await MyanmarFont.ExpectDrawsAsync(Page, Output, "h1");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "key-setup-new-patient-my.png"), FullPage = true });
    }

    private async Task FillAsync(string name, string email, string password, string confirmation)
    {
        await Page.Locator("#Input\\.DisplayName").FillAsync(name);
        await Page.Locator("#Input\\.Email").FillAsync(email);
        await Page.Locator("#Input\\.Password").FillAsync(password);
        await Page.Locator("#Input\\.ConfirmPassword").FillAsync(confirmation);
        await Page.GetByRole(AriaRole.Button, new() { Name = "အကောင့် ဖွင့်ရန်", Exact = true }).ClickAsync();
    }

    /// <summary>The page shows none of the English sentences of Components/Account's resources.</summary>
    private static Task ExpectNoEnglishSentenceAsync(IPage page) => EnglishSentences.ExpectNoneOnPageAsync(page, AccountSentences.Value);

    private static readonly Lazy<List<string>> AccountSentences = new(() => EnglishSentences.OfFolder("Components", "Account").Distinct().ToList());
}
