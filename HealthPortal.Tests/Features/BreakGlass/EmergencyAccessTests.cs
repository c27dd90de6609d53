using HealthPortal.Features.Access;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Tests.Features.Access;
using HealthPortal.Tests.Features.Interop;

namespace HealthPortal.Tests.Features.BreakGlass;

/// <summary>The emergency (break-glass) permission: set only by a manager of the staff member's own facility, read from the database.</summary>
[Collection(PortalCollection.Name)]
public sealed class EmergencyAccessTests(PortalFactory portal)
{
    private Task<T> WithPermissions<T>(Func<EmergencyAccess, Task<T>> work) =>
        portal.WithScopeAsync(services => work(services.GetRequiredService<EmergencyAccess>()));

    private Task<bool> StoredAsync(string userId) => portal.QueryAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.CanBreakGlass).SingleAsync());

    [Fact]
    public async Task Set_ManagerOfTheFacility_GrantsAndWithdraws()
    {
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, AccessKit.Lakeview);
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, AccessKit.Lakeview));
        var staffPrincipal = await portal.PrincipalOfAsync(staff.Email!);

        Assert.Equal(PermissionOutcome.Changed, await WithPermissions(p => p.SetAsync(manager, AccessKit.Lakeview, staff.Id, true)));
        Assert.True(await StoredAsync(staff.Id));
        Assert.Contains(staff.Id, await WithPermissions(p => p.HoldersAsync(manager, AccessKit.Lakeview)));
        Assert.True(await WithPermissions(p => p.MayBreakGlassAsync(staffPrincipal)));

        Assert.Equal(PermissionOutcome.Changed, await WithPermissions(p => p.SetAsync(manager, AccessKit.Lakeview, staff.Id, false)));
        Assert.False(await StoredAsync(staff.Id));
        // The same signed-in principal loses it at once: the permission is not in its claims.
        Assert.False(await WithPermissions(p => p.MayBreakGlassAsync(staffPrincipal)));
    }

    [Fact]
    public async Task Set_ManagerOfAnotherFacility_IsRefused()
    {
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, AccessKit.Lakeview);
        var otherManager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, AccessKit.Northgate));

        Assert.Equal(PermissionOutcome.Forbidden, await WithPermissions(p => p.SetAsync(otherManager, AccessKit.Lakeview, staff.Id, true)));
        // Naming their own facility does not reach a member of another one either.
        Assert.Equal(PermissionOutcome.UnknownStaff, await WithPermissions(p => p.SetAsync(otherManager, AccessKit.Northgate, staff.Id, true)));
        Assert.Empty(await WithPermissions(p => p.HoldersAsync(otherManager, AccessKit.Lakeview)));
        Assert.False(await StoredAsync(staff.Id));
    }

    [Fact]
    public async Task Set_Staff_IsRefused()
    {
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, AccessKit.Lakeview);
        var colleague = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, AccessKit.Lakeview));

        Assert.Equal(PermissionOutcome.Forbidden, await WithPermissions(p => p.SetAsync(colleague, AccessKit.Lakeview, staff.Id, true)));
        Assert.False(await StoredAsync(staff.Id));
    }

    [Fact]
    public async Task DemoSeeding_GivesEachFacilitysStaffMemberThePermission()
    {
        foreach (var facility in new[] { AccessKit.Riverside, AccessKit.Lakeview, AccessKit.Northgate })
        {
            var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, facility));
            var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, facility));
            Assert.True(await WithPermissions(p => p.MayBreakGlassAsync(staff)), facility);
            Assert.False(await WithPermissions(p => p.MayBreakGlassAsync(manager)), facility);
        }
    }
}
