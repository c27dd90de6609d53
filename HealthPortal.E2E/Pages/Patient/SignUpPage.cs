using HealthPortal.E2E.Infrastructure;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>
/// The Identity sign-up form (static SSR): creates a patient account. Sign-up answers every address alike with a
/// "check your email" page (it must not reveal which addresses have accounts), so the new patient then signs in and
/// lands on the patient dashboard.
/// </summary>
public sealed class SignUpPage(IPage page) : PortalPage(page)
{
    protected override string Path => "Account/Register";

    protected override bool IsInteractive => false;

    public async Task SignUpAsync(string name, string email, string password)
    {
        await Page.Locator("#Input\\.DisplayName").FillAsync(name);
        await Page.Locator("#Input\\.Email").FillAsync(email);
        await Page.Locator("#Input\\.Password").FillAsync(password);
        await Page.Locator("#Input\\.ConfirmPassword").FillAsync(password);
        await Button("Create account").ClickAsync();
        await Page.WaitForPathAsync("/Account/RegisterConfirmation");

        await Page.GotoAsync("Account/Login?ReturnUrl=%2Fpatient");
        await new LoginPage(Page).LogInAsync(email, password);
        await Page.WaitForPathAsync("/patient");
        await Page.WaitForInteractiveAsync();
    }
}
