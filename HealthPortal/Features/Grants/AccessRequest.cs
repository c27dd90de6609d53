using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Grants;

public enum AccessRequestStatus
{
    /// <summary>Waiting for the patient.</summary>
    Pending,
    /// <summary>The patient signed a grant.issue for it; <see cref="AccessRequest.GrantId"/> names the grant.</summary>
    Approved,
    Declined,
    /// <summary>The requesting facility withdrew it.</summary>
    Cancelled,
}

/// <summary>
/// A facility's request to see a patient's records, kept in the portal database (not on the ledger) until the patient
/// answers it. Approving it is the patient signing an ordinary grant.issue, prefilled from the request.
/// </summary>
public sealed class AccessRequest
{
    public string Id { get; set; } = "req-" + Guid.NewGuid().ToString("N")[..16];
    public string Mpi { get; set; } = "";

    /// <summary>The requesting facility's portal id (<c>HealthFacility.Id</c>).</summary>
    public string FacilityId { get; set; } = "";
    public string RequestedByUserId { get; set; } = "";

    /// <summary>Requested record kinds, space-separated ledger categories ("all" alone for everything).</summary>
    public string Categories { get; set; } = "";
    public string Purpose { get; set; } = "";
    public int DurationDays { get; set; }

    /// <summary>Optional note to the patient; stays in the portal, never on the ledger.</summary>
    public string? Message { get; set; }

    public AccessRequestStatus Status { get; set; } = AccessRequestStatus.Pending;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DeclineReason { get; set; }

    /// <summary>The grant.issue transaction id (the grant id) and its block, once approved.</summary>
    public string? GrantId { get; set; }
    public long? GrantHeight { get; set; }

    public IReadOnlyList<string> CategoryList => Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

internal sealed class AccessRequestConfiguration : IEntityTypeConfiguration<AccessRequest>
{
    public void Configure(EntityTypeBuilder<AccessRequest> request)
    {
        request.ToTable("AccessRequest");
        request.Property(r => r.Id).HasMaxLength(64);
        request.Property(r => r.Mpi).HasMaxLength(40);
        request.HasIndex(r => new { r.Mpi, r.Status });
        request.Property(r => r.FacilityId).HasMaxLength(64);
        request.HasOne<HealthPortal.Features.Facilities.HealthFacility>().WithMany().HasForeignKey(r => r.FacilityId).OnDelete(DeleteBehavior.Cascade);
        request.HasIndex(r => new { r.FacilityId, r.Mpi });
        request.Property(r => r.RequestedByUserId).HasMaxLength(450);
        request.Property(r => r.Categories).HasMaxLength(200);
        request.Property(r => r.Purpose).HasMaxLength(100);
        request.Property(r => r.Message).HasMaxLength(500);
        request.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        request.Property(r => r.DeclineReason).HasMaxLength(500);
        request.Property(r => r.GrantId).HasMaxLength(64);
    }
}
