using HealthPortal.Data;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Email;

public static class EmailExtensions
{
    /// <summary>The portal's mail sender, as Identity's <see cref="IEmailSender{TUser}"/> and as itself.</summary>
    public static IServiceCollection AddPortalEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(EmailOptions.Section).Get<EmailOptions>() ?? new();
        services.AddSingleton(options);
        // The same section bound again as options only to be checked at start (StartupFailure prints the one line).
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<EmailOptions>, EmailSettingsAreValid>();
        services.AddSingleton(provider =>
        {
            var data = configuration.GetSection(PortalDataOptions.Section).Get<PortalDataOptions>() ?? new();
            var folder = string.IsNullOrWhiteSpace(options.Queue.Folder)
                ? Path.Combine(data.DataFolderFullPath, "mail")
                : Path.GetFullPath(options.Queue.Folder, data.DataFolderFullPath);
            return new MailQueue(folder, options.Queue, provider.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        services.AddSingleton<SmtpRelay>();
        services.AddHostedService<MailDispatcher>();
        services.AddSingleton(provider =>
        {
            var data = configuration.GetSection(PortalDataOptions.Section).Get<PortalDataOptions>() ?? new();
            var pickup = string.IsNullOrWhiteSpace(options.PickupFolder)
                ? Path.Combine(data.DataFolderFullPath, "outbox")
                : Path.GetFullPath(options.PickupFolder, data.DataFolderFullPath);
            var sender = new PortalEmailSender(options, pickup, provider.GetRequiredService<ILogger<PortalEmailSender>>(), provider.GetRequiredService<MailQueue>());
            if (sender.Transport == MailTransport.Pickup && !provider.GetRequiredService<IHostEnvironment>().IsDevelopment())
            {
                provider.GetRequiredService<ILogger<PortalEmailSender>>().LogWarning(
                    "No SMTP relay is configured (HealthPortal:Email:Smtp:Host): mail is written to {Folder} and reaches nobody", pickup);
            }
            return sender;
        });
        services.AddSingleton<IEmailSender<ApplicationUser>>(provider => provider.GetRequiredService<PortalEmailSender>());
        return services;
    }
}
