using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Interop;

namespace HealthPortal.Features.Access;

public enum FacilityAuditKind
{
    /// <summary>A staff member looked a patient up by MPI number (the dashboard's finder, the patient page).</summary>
    DeskLookup,
    /// <summary>A staff member read another facility's records through the interop API, under a pseudonym.</summary>
    InteropRead,
    /// <summary>A staff member searched the facility's own patients by name, date of birth or NRC (what and how many found in <c>Target</c>).</summary>
    DeskSearch,
}

public enum FacilityAuditOutcome { Found, NotFound, Answered, Refused }

/// <summary>
/// One line of a facility's own audit trail, in this node's database and never on the ledger: it names a staff
/// account, which the ledger must not. Desk lookups are what the ledger does not see at all (no record is read);
/// interop reads bind the pseudonym and nonce that went out in <c>HP-Staff</c>/<c>HP-Nonce</c> to the account that
/// made the call, so the facility can say who was behind a pseudonym in the patient's access log.
/// </summary>
public sealed class FacilityAuditEntry
{
    public long Id { get; set; }
    public FacilityAuditKind Kind { get; set; }
    /// <summary>The portal's facility id (table Facility) of the staff member.</summary>
    public string FacilityId { get; set; } = "";
    public string UserId { get; set; } = "";
    /// <summary>The staff member's pseudonym, as the patient sees it in access logs.</summary>
    public string StaffPseudonym { get; set; } = "";
    /// <summary>The MPI number looked up or read; null for an interop read of a record this node has no anchor of.</summary>
    public string? Mpi { get; set; }
    /// <summary>Unix milliseconds (comparable in SQLite, like the ledger's times).</summary>
    public long AtMs { get; set; }
    public FacilityAuditOutcome Outcome { get; set; }
    /// <summary>Interop reads: the request target, the nonce it was signed with and the status of the answer.</summary>
    public string? Target { get; set; }
    public string? Nonce { get; set; }
    public int? Status { get; set; }

    public DateTimeOffset At => DateTimeOffset.FromUnixTimeMilliseconds(AtMs);
}

internal sealed class FacilityAuditEntryConfiguration : IEntityTypeConfiguration<FacilityAuditEntry>
{
    public void Configure(EntityTypeBuilder<FacilityAuditEntry> entry)
    {
        entry.ToTable("FacilityAudit");
        entry.Property(e => e.Kind).HasConversion<string>().HasMaxLength(16);
        entry.Property(e => e.FacilityId).HasMaxLength(64);
        entry.Property(e => e.UserId).HasMaxLength(450);
        entry.Property(e => e.StaffPseudonym).HasMaxLength(64);
        entry.Property(e => e.Mpi).HasMaxLength(40);
        entry.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16);
        entry.Property(e => e.Target).HasMaxLength(400);
        entry.Property(e => e.Nonce).HasMaxLength(64);
        entry.Ignore(e => e.At);
        entry.HasIndex(e => new { e.FacilityId, e.AtMs });
        entry.HasIndex(e => new { e.Mpi, e.Kind, e.AtMs });
        entry.HasIndex(e => new { e.StaffPseudonym, e.Nonce });
        // No foreign keys on purpose: an audit line outlives the account or facility it names, and must not stop
        // either from being deleted.
    }
}
