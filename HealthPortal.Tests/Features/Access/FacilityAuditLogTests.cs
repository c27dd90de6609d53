using HealthPortal.Features.Auth;
using HealthPortal.Features.Access;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.DemoMode;
using HealthPortal.Tests.Features.Data;
using HealthPortal.Tests.Features.Interop;

namespace HealthPortal.Tests.Features.Access;

/// <summary>A facility's managers read its audit trail and find the account behind a pseudonym; nobody else reads it.</summary>
[Collection(PortalCollection.Name)]
public sealed class FacilityAuditLogTests(PortalFactory portal)
{
    private async Task<string> LookUpAsStaffAsync(string facilityId, string mpi)
    {
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, facilityId);
        await portal.WithScopeAsync(async services =>
            services.GetRequiredService<FacilityPatients>().FindAsync(await portal.PrincipalOfAsync(staff.Email!), mpi));
        return staff.Id;
    }

    private Task<IReadOnlyList<FacilityAuditView>> TrailAsync(string email, string facilityId, string? pseudonym = null) =>
        portal.WithScopeAsync(async services =>
            await services.GetRequiredService<FacilityAuditLog>().OfFacilityAsync(await portal.PrincipalOfAsync(email), facilityId, pseudonym));

    [Fact]
    public async Task Manager_FindsTheAccountBehindAPseudonym()
    {
        var patient = await portal.RegisteredPatientAsync();
        var userId = await LookUpAsStaffAsync(AccessKit.Lakeview, patient.Mpi!);
        await LookUpAsStaffAsync(AccessKit.Lakeview, patient.Mpi!);
        var pseudonym = portal.Services.GetRequiredService<StaffPseudonyms>().Of(userId);

        var trail = await TrailAsync(PortalFactory.DemoEmail(Roles.FacilityManager, AccessKit.Lakeview), AccessKit.Lakeview, pseudonym);

        var line = Assert.Single(trail);
        Assert.Equal(userId, line.Entry.UserId);
        Assert.Equal("Test " + Roles.FacilityStaff, line.Account);
    }

    [Fact]
    public async Task StaffOrAnotherFacilitysManager_ReadNothing()
    {
        var patient = await portal.RegisteredPatientAsync();
        await LookUpAsStaffAsync(AccessKit.Lakeview, patient.Mpi!);

        Assert.Empty(await TrailAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, AccessKit.Lakeview), AccessKit.Lakeview));
        Assert.Empty(await TrailAsync(PortalFactory.DemoEmail(Roles.FacilityManager, AccessKit.Riverside), AccessKit.Lakeview));
    }
}
