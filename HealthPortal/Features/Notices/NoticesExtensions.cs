using HealthPortal.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthPortal.Features.Notices;

public static class NoticesExtensions
{
    /// <summary>
    /// The patient notices. Call after <c>AddLedger</c>: hosted services start in registration order, and the notices
    /// read the ledger from the start.
    /// </summary>
    public static WebApplicationBuilder AddPatientNotices(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<NoticeOptions>(builder.Configuration.GetSection(NoticeOptions.Section));
        builder.Services.AddSingleton(provider =>
        {
            var data = builder.Configuration.GetSection(PortalDataOptions.Section).Get<PortalDataOptions>() ?? new();
            return new NoticeLog(Path.Combine(data.DataFolderFullPath, "mail", "notices"));
        });
        builder.Services.AddSingleton<PatientNoticeMails>();
        builder.Services.TryAddSingleton<HealthPortal.Features.Facilities.FacilityNames>();
        builder.Services.AddSingleton<PatientNotices>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<PatientNotices>());
        return builder;
    }
}
