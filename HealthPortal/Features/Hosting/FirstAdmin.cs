using System.Text;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Email;
using HealthPortal.Features.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// The first consortium administrator of a new node. Outside demo mode nobody can sign in to a fresh node: accounts
/// are created by admins (staff through invitations, facilities through admission), and no admin exists yet. With
/// <c>HealthPortal:FirstAdmin:Email</c> set, a start on a node that has no administrator makes that account an
/// administrator (creating it without a password) and issues a one-time link to choose the password, written to the
/// log (journalctl, read by whoever runs the node) and mailed to the address. The person then signs in and sets up
/// the second factor admins must have. While that account still has no password, every start issues a fresh link;
/// once any administrator exists the setting does nothing and can be removed.
/// </summary>
public sealed class FirstAdmin(IServiceScopeFactory scopes, IConfiguration configuration, PublicUrls urls, IOptions<DemoOptions> demo, ILogger<FirstAdmin> logger) : IHostedService
{
    public const string Key = "HealthPortal:FirstAdmin:Email";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var email = configuration[Key]?.Trim();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        if (string.IsNullOrEmpty(email))
        {
            if (admins.Count == 0 && !demo.Value.Seed)
                logger.LogWarning("No consortium administrator exists, so nobody can sign in to approve facilities: set {Setting} to the first administrator's address and restart (see docs/deploy.md)", "HealthPortal__FirstAdmin__Email");
            return;
        }

        var user = await users.FindByEmailAsync(email);
        if (admins.Count > 0 && !(user is not null && admins.Any(a => a.Id == user.Id) && !await users.HasPasswordAsync(user)))
        {
            logger.LogInformation("{Setting} is ignored: the node has a consortium administrator", Key);
            return;
        }
        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Consortium administrator" };
            Check(await users.CreateAsync(user), email);
        }
        if (!await users.IsInRoleAsync(user, Roles.Admin)) Check(await users.AddToRoleAsync(user, Roles.Admin), email);

        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
        var link = QueryHelpers.AddQueryString(urls.Absolute("Account/ResetPassword", "https://localhost/"), "code", code);
        logger.LogWarning("First consortium administrator {Email}: choose the password at {Link} (one use; a new link on each start until it is used), then sign in and set up the authenticator", email, link);
        await scope.ServiceProvider.GetRequiredService<PortalEmailSender>().SendPasswordResetLinkAsync(user, email, link);
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"{Key} '{email}' could not be made an administrator: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
