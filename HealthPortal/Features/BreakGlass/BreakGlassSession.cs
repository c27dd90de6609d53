using HealthPortal.Ledger.Text;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.BreakGlass;

/// <summary>
/// An emergency ("break-glass") session: a staff member opened a patient without a grant, giving a reason, for a
/// limited time. Times are Unix milliseconds (the ledger's unit, and comparable in SQLite). The accesses it produced
/// are the <c>access.log</c> transactions in <see cref="Accesses"/>. Each of them carries <see cref="ReasonCode"/> and
/// <see cref="ReasonHash"/>; the words of <see cref="Reason"/> (which may well name the patient) stay here, in this
/// node's database, where the patient and the reviewing admin read them.
/// </summary>
public sealed class BreakGlassSession
{
    public string Id { get; set; } = NewId();
    /// <summary>The portal's facility id (table Facility).</summary>
    public string FacilityId { get; set; } = "";
    /// <summary>The facility's ledger id (its node key thumbprint), as the access log names it.</summary>
    public string FacilityNodeId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string StaffPseudonym { get; set; } = "";
    public string Mpi { get; set; } = "";
    /// <summary>What the staff member wrote; never on the ledger.</summary>
    public string Reason { get; set; } = "";
    /// <summary>The <see cref="BreakGlassReasons"/> code, which the ledger carries.</summary>
    public string ReasonCode { get; set; } = BreakGlassReasons.Other;
    /// <summary>The salt of <see cref="ReasonHash"/> (<see cref="TextCommitment"/>).</summary>
    public string ReasonSalt { get; set; } = "";
    public long StartedAtMs { get; set; }
    public long ExpiresAtMs { get; set; }
    public List<BreakGlassAccess> Accesses { get; set; } = [];

    public bool IsActiveAt(long nowMs) => nowMs >= StartedAtMs && nowMs < ExpiresAtMs;

    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAtMs);

    /// <summary>What the ledger holds in place of <see cref="Reason"/>.</summary>
    public string ReasonHash => TextCommitment.Hash(Reason, ReasonSalt);

    /// <summary>The access.log basis of a read under this session.</summary>
    public BreakGlassBasis LedgerBasis => new(ReasonCode, ReasonHash);

    public static string NewId() => "bg-" + Guid.NewGuid().ToString("N")[..20];
}

/// <summary>One <c>access.log</c> transaction written under a break-glass session.</summary>
public sealed class BreakGlassAccess
{
    public long Id { get; set; }
    public string SessionId { get; set; } = "";
    public string TxId { get; set; } = "";
    public long AtMs { get; set; }
}
