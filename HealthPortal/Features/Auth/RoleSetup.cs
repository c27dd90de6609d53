using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Auth;

public static class RoleSetup
{
    /// <summary>Creates the portal's roles that do not exist yet; sign-up and seeding assign them.</summary>
    public static async Task EnsureRolesAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (await roles.RoleExistsAsync(role)) continue;
            var result = await roles.CreateAsync(new IdentityRole(role));
            if (!result.Succeeded) throw new InvalidOperationException($"Creating role {role} failed: {result.Errors.First().Description}");
        }
    }
}
