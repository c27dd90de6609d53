using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.BreakGlass;

public enum ReviewDecision { Justified, NotJustified }

/// <summary>
/// A consortium admin's decision on one break-glass access, keyed by the access.log transaction id. Kept in the portal
/// database, not on the ledger: it names an admin account and carries free text, and the ledger stays free of both.
/// </summary>
public sealed class BreakGlassReview
{
    public string AccessTxId { get; set; } = "";
    public ReviewDecision Decision { get; set; }
    public string ReviewerUserId { get; set; } = "";
    public DateTimeOffset ReviewedAt { get; set; }
    public string Note { get; set; } = "";
}

internal sealed class BreakGlassReviewConfiguration : IEntityTypeConfiguration<BreakGlassReview>
{
    public const int MaxNote = 1000;

    public void Configure(EntityTypeBuilder<BreakGlassReview> review)
    {
        review.ToTable("BreakGlassReview");
        review.HasKey(r => r.AccessTxId);
        review.Property(r => r.AccessTxId).HasMaxLength(64);
        review.Property(r => r.Decision).HasConversion<string>().HasMaxLength(16);
        review.Property(r => r.ReviewerUserId).HasMaxLength(450);
        review.HasOne<HealthPortal.Data.ApplicationUser>().WithMany().HasForeignKey(r => r.ReviewerUserId).OnDelete(DeleteBehavior.Restrict);
        review.Property(r => r.Note).HasMaxLength(MaxNote);
    }
}
