using System.Diagnostics;
using System.Net;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Email;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Email;

/// <summary>Mail over SMTP to a real listener on loopback, through the durable queue and the background dispatcher.</summary>
public sealed class SmtpDeliveryTests
{
    private static async Task<HttpResponseMessage> ForgotPasswordAsync(PortalFactory portal, string email)
    {
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/ForgotPassword", "forgot-password");
        form["Input.Email"] = email;
        return await form.PostAsync(browser);
    }

    [Fact]
    public async Task ForgotPassword_RelayUp_DeliversTheResetLinkOverSmtp()
    {
        await using var relay = LoopbackSmtpServer.Start();
        using var portal = new SmtpPortal(relay.Port);
        var user = await portal.CreateUserAsync(Roles.Patient);

        await ForgotPasswordAsync(portal, user.Email!);

        var mail = await relay.WaitForAsync(user.Email!);
        Assert.Equal("Reset your HealthPortal password", mail.Subject);
        Assert.Contains("/Account/ResetPassword?code=", mail.Body);
        Assert.Equal("no-reply@healthportal.invalid", mail.Message.From.Mailboxes.Single().Address);
        Assert.Empty(portal.MailTo(user.Email!)); // Nothing went to the pickup folder.
    }

    [Fact]
    public async Task ResendConfirmation_RelayUp_DeliversTheConfirmationLinkOverSmtp()
    {
        await using var relay = LoopbackSmtpServer.Start();
        using var portal = new SmtpPortal(relay.Port);
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/ResendEmailConfirmation", "resend-email-confirmation");
        form["Input.Email"] = user.Email!;

        await form.PostAsync(browser);

        var mail = await relay.WaitForAsync(user.Email!);
        Assert.Equal("Confirm your HealthPortal email address", mail.Subject);
        Assert.Contains($"/Account/ConfirmEmail?userId={user.Id}&code=", mail.Body);
        Assert.Empty(portal.MailTo(user.Email!));
    }

    [Fact]
    public async Task ForgotPassword_RelayDown_AnswersAtOnce_KeepsTheMailQueued_AndDeliversWhenTheRelayComesUp()
    {
        var port = LoopbackSmtpServer.FreePort();
        using var portal = new SmtpPortal(port);
        var user = await portal.CreateUserAsync(Roles.Patient);
        var queue = portal.Services.GetRequiredService<MailQueue>();

        var watch = Stopwatch.StartNew();
        var response = await ForgotPasswordAsync(portal, user.Email!);
        watch.Stop();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("ForgotPasswordConfirmation", response.Headers.Location!.OriginalString);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the page waited {watch.Elapsed} for the relay");
        // The dispatcher has tried (and failed) at least once; the message is still in the queue, with the error.
        var queued = await EventuallyAsync(() => queue.Queued().SingleOrDefault(m => m.To == user.Email && m.Attempts >= 1));
        Assert.Equal("Reset your HealthPortal password", queued.Subject);
        Assert.NotNull(queued.LastError);
        Assert.True(File.Exists(Path.Combine(queue.QueueFolder, queued.Id + ".json")));

        await using var relay = LoopbackSmtpServer.Start(port);
        var mail = await relay.WaitForAsync(user.Email!);

        Assert.Contains("/Account/ResetPassword?code=", mail.Body);
        await EventuallyAsync(() => queue.Queued().Any(m => m.Id == queued.Id) ? null : "gone");
        Assert.Empty(queue.Failed());
    }

    [Fact]
    public async Task Mail_FailingEveryAttempt_MovesToFailed_ShowsOnTheAdminService_AndRetryNowDeliversIt()
    {
        var port = LoopbackSmtpServer.FreePort();
        using var portal = new SmtpPortal(port, maxAttempts: 3);
        var user = await portal.CreateUserAsync(Roles.Patient);
        var outbox = portal.Services.GetRequiredService<MailQueue>();
        await ForgotPasswordAsync(portal, user.Email!);

        var failed = await EventuallyAsync(() => outbox.Failed().SingleOrDefault(m => m.To == user.Email));
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));
        await using var scope = portal.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<MailOutbox>();
        var view = await service.ListAsync(admin);

        var shown = Assert.Single(view!.Failed, m => m.To == user.Email);
        Assert.Equal(3, shown.Attempts);
        Assert.Equal("Reset your HealthPortal password", shown.Subject);
        Assert.Contains("Socket", shown.LastError);
        Assert.DoesNotContain(view.Queued, m => m.Id == failed.Id);
        var page = await (await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Admin))).GetStringAsync("/admin/mail");
        Assert.Contains(user.Email!, page);
        Assert.Contains("Failed (1)", page);

        await using var relay = LoopbackSmtpServer.Start(port);
        Assert.True(await service.RetryNowAsync(admin, failed.Id));
        var mail = await relay.WaitForAsync(user.Email!);
        Assert.Contains("/Account/ResetPassword?code=", mail.Body);
        await EventuallyAsync(() => outbox.Queued().Concat(outbox.Failed()).Any(m => m.Id == failed.Id) ? null : "gone");
    }

    [Fact]
    public async Task MailOutbox_ForANonAdmin_ShowsNothingAndRetriesNothing()
    {
        var port = LoopbackSmtpServer.FreePort();
        using var portal = new SmtpPortal(port, maxAttempts: 1);
        var user = await portal.CreateUserAsync(Roles.Patient);
        await ForgotPasswordAsync(portal, user.Email!);
        var failed = await EventuallyAsync(() => portal.Services.GetRequiredService<MailQueue>().Failed().SingleOrDefault());
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, HealthPortal.Features.DemoMode.DemoData.Facilities[0].Id));
        await using var scope = portal.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<MailOutbox>();

        Assert.Null(await service.ListAsync(staff));
        Assert.False(await service.RetryNowAsync(staff, failed.Id));
        Assert.Single(portal.Services.GetRequiredService<MailQueue>().Failed());
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe, int seconds = 20) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value) return value;
            await Task.Delay(50);
        }
        throw new TimeoutException($"not within {seconds} s");
    }
}
