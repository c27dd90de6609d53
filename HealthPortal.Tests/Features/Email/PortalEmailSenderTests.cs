using HealthPortal.Data;
using HealthPortal.Features.Email;
using Microsoft.Extensions.Logging.Abstractions;

namespace HealthPortal.Tests.Features.Email;

public sealed class PortalEmailSenderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("healthportal-outbox-").FullName;

    private PortalEmailSender Sender(EmailOptions options) => new(options, folder, NullLogger<PortalEmailSender>.Instance);

    [Fact]
    public void Transport_WithoutARelay_IsThePickupFolder() =>
        Assert.Equal(MailTransport.Pickup, Sender(new EmailOptions()).Transport);

    [Fact]
    public void Transport_WithARelayHost_IsSmtp() =>
        Assert.Equal(MailTransport.Smtp, Sender(new EmailOptions { Smtp = { Host = "smtp.example.test" } }).Transport);

    [Fact]
    public void Transport_ConfiguredExplicitly_WinsOverTheHost() =>
        Assert.Equal(MailTransport.Pickup, Sender(new EmailOptions { Transport = MailTransport.Pickup, Smtp = { Host = "smtp.example.test" } }).Transport);

    [Fact]
    public async Task PasswordResetLink_ArrivesWhole_AsPlainText()
    {
        // A long link with query characters: neither HTML-encoded (&amp;) nor broken by line wrapping.
        var link = "https://portal.example.test/Account/ResetPassword?code=" + new string('A', 300) + "&returnUrl=%2Fpatient";

        await Sender(new EmailOptions()).SendPasswordResetLinkAsync(new ApplicationUser { DisplayName = "Aye Aye Myint" }, "aye@example.test", link);

        var message = Assert.Single(PickupOutbox.For(folder, "aye@example.test"));
        Assert.Equal("Reset your HealthPortal password", message.Subject);
        Assert.Equal(link, message.LinkTo("/Account/ResetPassword"));
        Assert.Contains("Hello Aye Aye Myint", message.Body);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
