using HealthPortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Patients;

/// <summary>
/// A pair of patient accounts an MPI steward (a consortium admin) must look at: <see cref="UserId"/> saved a national
/// ID (NRC) that <see cref="OtherUserId"/> already has. The save itself succeeds and tells the patient nothing, so the
/// profile form cannot be used to learn whether a named person is a patient here; the steward resolves the pair with
/// the facility that checks the patient's card.
/// </summary>
public sealed class IdentityCheck
{
    public const string DuplicateNationalId = "duplicate-national-id";

    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public string UserId { get; set; } = "";
    public string OtherUserId { get; set; } = "";
    public string Reason { get; set; } = DuplicateNationalId;
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class IdentityCheckConfiguration : IEntityTypeConfiguration<IdentityCheck>
{
    public void Configure(EntityTypeBuilder<IdentityCheck> check)
    {
        check.ToTable("IdentityCheck");
        check.Property(c => c.Id).HasMaxLength(64);
        check.Property(c => c.Reason).HasMaxLength(40);
        check.HasIndex(c => new { c.UserId, c.OtherUserId, c.Reason }).IsUnique();
        check.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        check.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.OtherUserId).OnDelete(DeleteBehavior.Cascade);
    }
}
