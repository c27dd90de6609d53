using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Records;

namespace HealthPortal.Features.Ehr;

public static class EhrExtensions
{
    /// <summary>The facilities' own EHR stores, their per-format write services and the local record fetcher.</summary>
    public static WebApplicationBuilder AddEhrStores(this WebApplicationBuilder builder)
    {
        builder.Services.AddEhrStores();
        return builder;
    }

    public static IServiceCollection AddEhrStores(this IServiceCollection services)
    {
        services.AddSingleton<EhrStoreProvisioner>();
        services.AddSingleton<EhrStores>();
        services.AddSingleton<Codes.ClinicalCodes>();
        services.AddSingleton<IRecordFetcher, LocalRecordFetcher>();
        services.AddSingleton<HospitalRecords>();
        services.AddSingleton<ClinicRecords>();
        services.AddSingleton<LaboratoryRecords>();
        services.AddSingleton<EhrVersions>();
        services.AddSingleton<EhrRefile>();
        return services;
    }
}
