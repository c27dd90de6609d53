using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using Microsoft.EntityFrameworkCore.Design;

namespace HealthPortal.Features.Ehr;

// Let `dotnet ef migrations add X --context HospitalStoreContext --output-dir Features/Ehr/Hospital/Migrations`
// build each format's model without the web host; the file name is never opened by `migrations add`.
internal sealed class HospitalStoreDesignTimeFactory : IDesignTimeDbContextFactory<HospitalStoreContext>
{
    public HospitalStoreContext CreateDbContext(string[] args) => new(EhrStoreBase<HospitalStoreContext>.OptionsFor("design-time-hospital.db"));
}

internal sealed class ClinicStoreDesignTimeFactory : IDesignTimeDbContextFactory<ClinicStoreContext>
{
    public ClinicStoreContext CreateDbContext(string[] args) => new(EhrStoreBase<ClinicStoreContext>.OptionsFor("design-time-clinic.db"));
}

internal sealed class LaboratoryStoreDesignTimeFactory : IDesignTimeDbContextFactory<LaboratoryStoreContext>
{
    public LaboratoryStoreContext CreateDbContext(string[] args) => new(EhrStoreBase<LaboratoryStoreContext>.OptionsFor("design-time-laboratory.db"));
}
