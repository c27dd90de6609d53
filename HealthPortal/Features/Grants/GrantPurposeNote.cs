using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Grants;

/// <summary>
/// The patient's own words for a grant whose purpose is "other", keyed by the grant id (its grant.issue transaction
/// id). The ledger carries only the code "other" and <c>purposeHash</c>, the <c>TextCommitment</c> hash of
/// <see cref="Text"/> under <see cref="Salt"/>; the words stay in this portal's database.
/// </summary>
public sealed class GrantPurposeNote
{
    public string GrantId { get; set; } = "";
    public string Text { get; set; } = "";
    public string Salt { get; set; } = "";
}

internal sealed class GrantPurposeNoteConfiguration : IEntityTypeConfiguration<GrantPurposeNote>
{
    public void Configure(EntityTypeBuilder<GrantPurposeNote> note)
    {
        note.ToTable("GrantPurposeNote");
        note.HasKey(n => n.GrantId);
        note.Property(n => n.GrantId).HasMaxLength(64);
        note.Property(n => n.Text).HasMaxLength(GrantPurposes.MaxOtherLength);
        note.Property(n => n.Salt).HasMaxLength(32);
    }
}
