using HealthPortal.Data;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.FacilityPortal;

namespace HealthPortal.Features.Access;

/// <summary>
/// Appends to the facility audit trail (<see cref="FacilityAuditEntry"/>). A singleton with no authorization of its
/// own: only code that has already decided to act for a staff member writes here (the desk lookup, the interop
/// client), and it writes before it shows anything, so a failed write shows nothing. Reading is
/// <see cref="FacilityAuditLog"/>'s, per caller.
/// </summary>
public sealed class FacilityAuditTrail(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Appends <paramref name="entry"/>, stamped now.</summary>
    public async Task RecordAsync(FacilityAuditEntry entry, CancellationToken ct = default)
    {
        entry.AtMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.FacilityAudit.Add(entry);
        await db.SaveChangesAsync(ct);
    }
}
