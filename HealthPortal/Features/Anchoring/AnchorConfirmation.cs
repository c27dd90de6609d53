using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Anchoring;

public enum AnchorStatus
{
    /// <summary>The facility signed the anchors; the patient has not decided yet (or a submit failed and may be retried).</summary>
    Pending,
    /// <summary>Every anchor of the save is on the ledger, co-signed by the patient.</summary>
    Anchored,
    /// <summary>The patient disputed every record of the save; nothing went on the ledger.</summary>
    Rejected,
    /// <summary>The facility withdrew the request before the patient decided (recorded by mistake, wrong patient); nothing went on the ledger.</summary>
    Withdrawn,
}

/// <summary>The patient's answer on one record of a save.</summary>
public enum RecordDecision
{
    /// <summary>Not disputed: it is signed with the rest of the save (or waits for that).</summary>
    Open,
    /// <summary>The patient disputed this record (<see cref="AnchorConfirmationRecord.RejectCode"/>); it never goes on the ledger.</summary>
    Rejected,
}

/// <summary>
/// One save at a facility waiting for the patient's co-signature: the group of records it created and, per record,
/// the <c>record.anchor</c> the facility node has signed. The patient reads every record in full and decides on each:
/// confirmed records are co-signed together, disputed ones (with a reason code and optional words, kept here and never
/// on the ledger) are left out, so a visit can be confirmed while one of its prescriptions is disputed.
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

    /// <summary>The patient's words when the whole save was rejected (or the label of the reason code when they gave none).</summary>
    public string? RejectReason { get; set; }
    public DateTimeOffset? RejectedAt { get; set; }

    public DateTimeOffset? WithdrawnAt { get; set; }

    /// <summary>When staff last sent the patient a reminder (mail), so a reminder is not sent twice in a row by a double click.</summary>
    public DateTimeOffset? RemindedAt { get; set; }

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

    /// <summary>
    /// The record's FHIR JSON exactly as hashed when the save was prepared: what the confirm page shows the patient, so
    /// they read the very content their signature vouches for (the page re-checks it against <see cref="Hash"/>).
    /// Null for saves prepared before this was kept; the page then reads the facility's store.
    /// </summary>
    public string? FhirJson { get; set; }

    public RecordDecision Decision { get; set; } = RecordDecision.Open;

    /// <summary>An <see cref="AnchorRejectReasons"/> code when the patient disputed this record.</summary>
    public string? RejectCode { get; set; }

    /// <summary>The patient's optional words on the dispute; read by the facility, never on the ledger.</summary>
    public string? RejectWords { get; set; }

    public DateTimeOffset? RejectedAt { get; set; }
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
        record.Property(r => r.Decision).HasConversion<string>().HasMaxLength(16);
        record.Property(r => r.RejectCode).HasMaxLength(32);
        record.Property(r => r.RejectWords).HasMaxLength(500);
        record.HasIndex(r => r.RecordId);
    }
}
