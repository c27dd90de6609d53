using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Retractions;

/// <summary>
/// What the node keeps of a retraction beside the ledger's <c>record.retract</c>: who retracted the record, their words
/// (never on the ledger: they may name the other patient), and, after a re-filing, the patient it was filed under and
/// the confirmation that patient co-signs.
/// </summary>
public sealed class RecordRetraction
{
    public int Id { get; set; }
    /// <summary>The portal's facility id (the ledger names it by its node key, <see cref="NodeId"/>).</summary>
    public string FacilityId { get; set; } = "";
    public string NodeId { get; set; } = "";
    public string RecordId { get; set; } = "";
    /// <summary>The patient the record was anchored under.</summary>
    public string Mpi { get; set; } = "";
    /// <summary>A <see cref="RetractReasons"/> code, as on the ledger.</summary>
    public string Reason { get; set; } = "";
    public string Words { get; set; } = "";
    public string StaffId { get; set; } = "";
    public string StaffName { get; set; } = "";
    public string TxId { get; set; } = "";
    public DateTimeOffset RetractedAt { get; set; }
    /// <summary>The patient the record was re-filed under, once it was.</summary>
    public string? RefiledMpi { get; set; }
    public string? RefiledConfirmationId { get; set; }
    public DateTimeOffset? RefiledAt { get; set; }
}

public static class RetractionModel
{
    public static void Configure(ModelBuilder builder) => builder.Entity<RecordRetraction>(Configure);

    private static void Configure(EntityTypeBuilder<RecordRetraction> e)
    {
        e.ToTable("RecordRetraction");
        // A record is retracted once on the ledger, so once here.
        e.HasIndex(x => new { x.NodeId, x.RecordId }).IsUnique();
        e.HasIndex(x => new { x.FacilityId, x.Mpi });
        e.Property(x => x.FacilityId).HasMaxLength(64);
        e.Property(x => x.NodeId).HasMaxLength(64);
        e.Property(x => x.RecordId).HasMaxLength(PayloadParser.MaxRecordId);
        e.Property(x => x.Mpi).HasMaxLength(20);
        e.Property(x => x.RefiledMpi).HasMaxLength(20);
        e.Property(x => x.Reason).HasMaxLength(32);
        e.Property(x => x.Words).HasMaxLength(RecordRetractions.MaxWords);
        e.Property(x => x.StaffName).HasMaxLength(256);
        e.Property(x => x.TxId).HasMaxLength(64);
        e.Property(x => x.RefiledConfirmationId).HasMaxLength(64);
    }
}
