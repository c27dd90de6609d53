using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Keys;

public enum RecoveryStatus
{
    /// <summary>The patient's new browser made a key and shows the code; a facility manager has not verified them yet.</summary>
    AwaitingFacility,
    /// <summary>A facility verified the patient in person and its node key signed key.recover; an admin must co-sign.</summary>
    AwaitingAdmin,
    /// <summary>key.recover is on the ledger: the old keys are revoked and the new one is active.</summary>
    Completed,
    Rejected,
    Cancelled,
    Failed,
}

/// <summary>
/// A patient's request to replace lost keys, kept in the portal database while a facility and an admin act on it.
/// The recovery code is stored only as a hash; the facility's signature over key.recover is kept as evidence.
/// </summary>
public sealed class KeyRecoveryRequest
{
    public string Id { get; set; } = "rec-" + Guid.NewGuid().ToString("N")[..16];
    public string UserId { get; set; } = "";
    public string Mpi { get; set; } = "";

    /// <summary>The new browser key's public JWK (canonical JSON) and its thumbprint.</summary>
    public string NewKeyJwk { get; set; } = "";
    public string NewKid { get; set; } = "";

    /// <summary>SHA-256 (base64url) of the normalised recovery code.</summary>
    public string CodeHash { get; set; } = "";
    public int FailedCodeAttempts { get; set; }

    public RecoveryStatus Status { get; set; } = RecoveryStatus.AwaitingFacility;
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Until when a facility may verify the request.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    // The facility's in-person verification.
    public string? FacilityId { get; set; }
    public string? VerifiedByUserId { get; set; }
    public string? IdentityDocument { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>The key.recover body the facility signed (canonical JSON) and the facility node's signature (base64url).</summary>
    public string? Body { get; set; }
    public string? FacilitySignature { get; set; }

    // The admin's decision and the outcome on the ledger.
    public string? DecidedByUserId { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? Reason { get; set; }
    public string? TransactionId { get; set; }
    public long? Height { get; set; }

    public bool IsOpen => Status is RecoveryStatus.AwaitingFacility or RecoveryStatus.AwaitingAdmin;
}

internal sealed class KeyRecoveryRequestConfiguration : IEntityTypeConfiguration<KeyRecoveryRequest>
{
    public void Configure(EntityTypeBuilder<KeyRecoveryRequest> request)
    {
        request.ToTable("KeyRecoveryRequest");
        request.Property(r => r.Id).HasMaxLength(64);
        request.Property(r => r.UserId).HasMaxLength(450);
        request.HasOne<HealthPortal.Data.ApplicationUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        request.Property(r => r.Mpi).HasMaxLength(40);
        request.HasIndex(r => new { r.Mpi, r.Status });
        request.Property(r => r.NewKeyJwk).HasMaxLength(400);
        request.Property(r => r.NewKid).HasMaxLength(64);
        request.Property(r => r.CodeHash).HasMaxLength(64);
        request.Property(r => r.Status).HasConversion<string>().HasMaxLength(24);
        request.HasIndex(r => r.Status);
        request.Property(r => r.FacilityId).HasMaxLength(64);
        request.Property(r => r.VerifiedByUserId).HasMaxLength(450);
        request.Property(r => r.IdentityDocument).HasMaxLength(200);
        request.Property(r => r.Body).HasMaxLength(2000);
        request.Property(r => r.FacilitySignature).HasMaxLength(100);
        request.Property(r => r.DecidedByUserId).HasMaxLength(450);
        request.Property(r => r.Reason).HasMaxLength(500);
        request.Property(r => r.TransactionId).HasMaxLength(64);
    }
}
