using HealthPortal.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Pseudonyms;

public static class PseudonymExtensions
{
    /// <summary>
    /// The staff pseudonyms that go on the ledger and, registered once here, the mapping back to the account for the
    /// admins' break-glass review (only this portal holds the secret).
    /// </summary>
    public static WebApplicationBuilder AddStaffPseudonyms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new StaffPseudonyms(
            sp.GetRequiredService<IDataProtectionProvider>(), sp.GetRequiredService<IOptions<PortalDataOptions>>().Value.DataFolderFullPath));
        builder.Services.AddSingleton<IStaffPseudonyms, StaffAccountsByPseudonym>();
        return builder;
    }
}
