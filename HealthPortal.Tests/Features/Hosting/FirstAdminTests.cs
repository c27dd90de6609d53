using System.Text;
using System.Text.RegularExpressions;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Hosting;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;

namespace HealthPortal.Tests.Features.Hosting;

/// <summary>
/// A fresh node without demo data has no administrator, so nobody could sign in to it. <c>HealthPortal:FirstAdmin:Email</c>
/// makes that address the first administrator and sends it a one-time link to choose the password.
/// </summary>
public sealed class FirstAdminTests
{
    private const string Email = "it.lead@hospital.example";

    private sealed class FreshNode : PortalFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        {
            ["HealthPortal:Demo:Seed"] = "false",
            [FirstAdmin.Key] = Email,
        };
    }

    [Fact]
    public async Task FreshNode_MakesTheAddressAnAdmin_WithoutPassword_AndMailsAPasswordLinkThatWorks()
    {
        await using var node = new FreshNode();
        _ = node.Services; // starts the node

        await using var scope = node.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var admin = Assert.Single(await users.GetUsersInRoleAsync(Roles.Admin));
        Assert.Equal(Email, admin.Email);
        Assert.False(await users.HasPasswordAsync(admin));

        var code = ResetCodeFromTheOnlyMail(node.Outbox);
        var set = await users.ResetPasswordAsync(admin, code, "a long first admin password");
        Assert.True(set.Succeeded, string.Join("; ", set.Errors.Select(e => e.Code)));

        // Once the administrator has a password, a restart issues nothing more.
        await node.Services.GetServices<IHostedService>().OfType<FirstAdmin>().Single().StartAsync(CancellationToken.None);
        Assert.Single(Directory.GetFiles(node.Outbox, "*.eml"));
        Assert.Single(await users.GetUsersInRoleAsync(Roles.Admin));
    }

    [Fact]
    public async Task NodeWithAnAdmin_IgnoresTheSetting()
    {
        // The demo node has its admin already; the setting must not add a second one.
        await using var node = new DemoNodeWithSetting();
        _ = node.Services;

        await using var scope = node.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Null(await users.FindByEmailAsync(Email));
        Assert.DoesNotContain((await users.GetUsersInRoleAsync(Roles.Admin)), u => u.Email == Email);
    }

    private sealed class DemoNodeWithSetting : PortalFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings) { [FirstAdmin.Key] = Email };
    }

    private static string ResetCodeFromTheOnlyMail(string outbox)
    {
        var file = Assert.Single(Directory.GetFiles(outbox, "*.eml"));
        var message = MimeMessage.Load(file);
        Assert.Equal(Email, message.To.Mailboxes.Single().Address);
        var link = Regex.Match(message.TextBody ?? "", @"https?://\S+/Account/ResetPassword\?code=(\S+)");
        Assert.True(link.Success, message.TextBody);
        return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(link.Groups[1].Value));
    }
}
