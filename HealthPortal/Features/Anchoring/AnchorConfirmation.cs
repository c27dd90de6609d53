using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Anchoring;

public enum AnchorStatus
{
    /// <summary>The facility signed the anchors; the patient has not decided yet (or a submit failed and may be retried).</summary>
    Pending,
    /// <summary>Every anchor of the save is on the ledger, co-signed by the patient.</summary>
    Anchored,
    /// <summary>The patient said this was not their visit; nothing went on the ledger.</summary>
    Rejected,
}

/// <summary>
/// One save at a facility waiting for the patient's co-signature: the group of records it created and, per record,
/// the <c>record.anchor</c> the facility node has signed. The patient confirms or rejects the group as a whole,
/// because a visit's diagnoses and prescriptions only make sense together with the visit.
/// </summary>
public sealed class AnchorConfirmation
{
    public string Id { get; set; } = "anc-" + Guid.NewGuid().ToString("N")[..20];
    public string FacilityId { get; set; } = "";
    public string Mpi { get; set; } = "";
    public string StaffUserId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    public AnchorStatus Status { get; set; } = AnchorStatus.Pending;

    /// <summary>Why the last confirmation attempt did not land (the item stays pending), in words for people.</summary>
    public string? Problem { get; set; }

    public string? RejectReason { get; set; }
    public DateTimeOffset? RejectedAt { get; set; }

    public DateTimeOffset? AnchoredAt { get; set; }

    /// <summary>The highest block holding one of the anchors (usually all land in one block).</summary>
    public long? BlockHeight { get; set; }

    public List<AnchorConfirmationRecord> Records { get; set; } = [];
}

/// <summary>One record of a save and its facility-signed <c>record.anchor</c>.</summary>
public sealed class AnchorConfirmationRecord
{
    public long Id { get; set; }
    public string ConfirmationId { get; set; } = "";
    public int Position { get; set; }
    public string RecordId { get; set; } = "";
    public string Kind { get; set; } = "";

    /// <summary>The ledger's date form, yyyy-MM-dd.</summary>
    public string Date { get; set; } = "";
    public string Summary { get; set; } = "";
    public string Hash { get; set; } = "";

    /// <summary>The facility-signed transaction in wire form (type, body, the facility's signature): exactly what the patient co-signs.</summary>
    public string TransactionJson { get; set; } = "";
    public string TransactionId { get; set; } = "";

    public long? BlockHeight { get; set; }
}

internal sealed class AnchorConfirmationConfiguration : IEntityTypeConfiguration<AnchorConfirmation>
{
    public void Configure(EntityTypeBuilder<AnchorConfirmation> confirmation)
    {
        confirmation.ToTable("AnchorConfirmation");
        confirmation.Property(c => c.Id).HasMaxLength(64);
        confirmation.Property(c => c.FacilityId).HasMaxLength(64);
        confirmation.HasOne<HealthPortal.Features.Facilities.HealthFacility>().WithMany().HasForeignKey(c => c.FacilityId).OnDelete(DeleteBehavior.Restrict);
        confirmation.Property(c => c.Mpi).HasMaxLength(40);
        confirmation.Property(c => c.StaffUserId).HasMaxLength(450);
        confirmation.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        confirmation.Property(c => c.Problem).HasMaxLength(500);
        confirmation.Property(c => c.RejectReason).HasMaxLength(500);
        confirmation.HasIndex(c => new { c.FacilityId, c.Status });
        confirmation.HasIndex(c => new { c.Mpi, c.Status });
        confirmation.HasMany(c => c.Records).WithOne().HasForeignKey(r => r.ConfirmationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnchorConfirmationRecordConfiguration : IEntityTypeConfiguration<AnchorConfirmationRecord>
{
    public void Configure(EntityTypeBuilder<AnchorConfirmationRecord> record)
    {
        record.ToTable("AnchorConfirmationRecord");
        record.Property(r => r.ConfirmationId).HasMaxLength(64);
        record.Property(r => r.RecordId).HasMaxLength(128);
        record.Property(r => r.Kind).HasMaxLength(32);
        record.Property(r => r.Date).HasMaxLength(10);
        record.Property(r => r.Summary).HasMaxLength(500);
        record.Property(r => r.Hash).HasMaxLength(64);
        record.Property(r => r.TransactionId).HasMaxLength(64);
        record.HasIndex(r => r.RecordId);
    }
}
