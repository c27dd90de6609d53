using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Email;
using Microsoft.AspNetCore.Authorization;

namespace HealthPortal.Features.Admin;

/// <summary>Mail the relay has not taken yet, and mail given up on after the last attempt.</summary>
public sealed record MailOutboxView(IReadOnlyList<QueuedMail> Queued, IReadOnlyList<QueuedMail> Failed, MailTransport Transport);

/// <summary>The admins' view of the mail queue (<c>/admin/mail</c>) and their "retry now"; admins only, checked here.</summary>
public sealed class MailOutbox(MailQueue queue, PortalEmailSender sender, IAuthorizationService authorization)
{
    public async Task<MailOutboxView?> ListAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return null;
        return new MailOutboxView(queue.Queued(), queue.Failed(), sender.Transport);
    }

    /// <summary>Puts a failed message back in the queue, or makes a waiting one due now. False: not allowed or no such message.</summary>
    public async Task<bool> RetryNowAsync(ClaimsPrincipal admin, string id) =>
        await IsAdminAsync(admin) && queue.RetryNow(id);

    private async Task<bool> IsAdminAsync(ClaimsPrincipal admin) =>
        (await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded;
}
