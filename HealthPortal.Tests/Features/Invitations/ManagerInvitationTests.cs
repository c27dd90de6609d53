using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Outcomes;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Invitations;

/// <summary>A consortium admin invites the first manager of an approved facility.</summary>
[Collection(PortalCollection.Name)]
public sealed class ManagerInvitationTests(PortalFactory portal)
{
    private async Task<Result<NewInvitation, InvitationError>> InviteManagerAsync(string email, string facilityId)
    {
        var who = await portal.PrincipalOfAsync(email);
        return await portal.WithScopeAsync(services => services.GetRequiredService<StaffInvitations>().CreateManagerInvitationAsync(who, facilityId));
    }

    private Task<HealthFacility> FacilityAsync(FacilityStatus status) => portal.QueryAsync(async db =>
    {
        var facility = new HealthFacility { Name = $"{status} invitation lab {Guid.NewGuid():N}", Kind = FacilityKind.Laboratory, Status = status };
        db.Facilities.Add(facility);
        await db.SaveChangesAsync();
        return facility;
    });

    [Fact]
    public async Task Admin_InvitesTheManagerOfAnApprovedFacility()
    {
        var facility = await FacilityAsync(FacilityStatus.Approved);

        var result = await InviteManagerAsync(PortalFactory.DemoEmail(Roles.Admin), facility.Id);

        Assert.True(result.IsOk, result.Message);
        var details = await portal.WithScopeAsync(services => services.GetRequiredService<InvitationRedemption>().FindOpenAsync(result.Value!.Token));
        Assert.Equal(Roles.FacilityManager, details!.Role);
        Assert.True(details.IsManager);
    }

    [Fact]
    public async Task RegeneratedManagerInvitation_RevokesTheEarlierLink()
    {
        var facility = await FacilityAsync(FacilityStatus.Approved);
        var admin = PortalFactory.DemoEmail(Roles.Admin);

        var first = await InviteManagerAsync(admin, facility.Id);
        var second = await InviteManagerAsync(admin, facility.Id);

        Assert.True(first.IsOk && second.IsOk, first.Message + second.Message);
        var redemption = (Func<string, Task<InvitationDetails?>>)(token =>
            portal.WithScopeAsync(services => services.GetRequiredService<InvitationRedemption>().FindOpenAsync(token)));
        Assert.Null(await redemption(first.Value!.Token));
        Assert.True((await redemption(second.Value!.Token))!.IsManager);
    }

    [Fact]
    public async Task RegeneratedManagerInvitation_LeavesTheFacilitysStaffInvitationsOpen()
    {
        var facility = await FacilityAsync(FacilityStatus.Approved);
        var admin = PortalFactory.DemoEmail(Roles.Admin);
        var managerLink = await InviteManagerAsync(admin, facility.Id);
        var staffToken = await portal.QueryAsync(async db =>
        {
            var token = InvitationToken.New();
            db.StaffInvitations.Add(new StaffInvitation
            {
                FacilityId = facility.Id, TokenHash = InvitationToken.Hash(token), Role = Roles.FacilityStaff,
                CreatedByUserId = "test", CreatedAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
            });
            await db.SaveChangesAsync();
            return token;
        });

        await InviteManagerAsync(admin, facility.Id);

        var staff = await portal.WithScopeAsync(services => services.GetRequiredService<InvitationRedemption>().FindOpenAsync(staffToken));
        Assert.Equal(Roles.FacilityStaff, staff!.Role);
        Assert.True(managerLink.IsOk);
    }

    [Theory]
    [InlineData(FacilityStatus.Pending)]
    [InlineData(FacilityStatus.Rejected)]
    [InlineData(FacilityStatus.Revoked)]
    public async Task Admin_CannotInviteAManagerOfAnUnapprovedFacility(FacilityStatus status)
    {
        var facility = await FacilityAsync(status);

        var result = await InviteManagerAsync(PortalFactory.DemoEmail(Roles.Admin), facility.Id);

        Assert.Equal(InvitationError.FacilityNotApproved, result.Error);
        Assert.Null(result.Value);
    }

    [Theory]
    [InlineData(Roles.FacilityManager)]
    [InlineData(Roles.FacilityStaff)]
    [InlineData(Roles.Patient)]
    public async Task OtherRoles_CannotInviteAManager(string role)
    {
        var result = await InviteManagerAsync(PortalFactory.DemoEmail(role), "demo-northgate");

        Assert.Equal(InvitationError.Forbidden, result.Error);
        Assert.Null(result.Value);
    }

    [Fact]
    public async Task ManagersOwnInvitations_StillMakeStaff()
    {
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, "demo-northgate"));
        var result = await portal.WithScopeAsync(services => services.GetRequiredService<StaffInvitations>().CreateAsync(manager, "demo-northgate", null));

        var details = await portal.WithScopeAsync(services => services.GetRequiredService<InvitationRedemption>().FindOpenAsync(result.Value!.Token));

        Assert.Equal(Roles.FacilityStaff, details!.Role);
    }
}
