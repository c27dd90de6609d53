using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Auth.Sessions;

/// <summary>
/// One signed-in browser. The session cookie carries only a random key; the sign-in itself (the authentication
/// ticket, protected with Data Protection) lives here, so deleting the row ends the session wherever the cookie went.
/// </summary>
public sealed class UserSession
{
    /// <summary>SHA-256 (hex) of the cookie's key: the handle pages and forms may show, never the key itself.</summary>
    public string Id { get; set; } = "";

    public string UserId { get; set; } = "";

    public long CreatedAtMs { get; set; }

    /// <summary>Last request (or circuit check) that used the session, written at most once a minute.</summary>
    public long LastSeenAtMs { get; set; }

    /// <summary>The cookie ticket's sliding expiry.</summary>
    public long ExpiresAtMs { get; set; }

    /// <summary>Created + the absolute lifetime: no renewal moves it.</summary>
    public long AbsoluteExpiresAtMs { get; set; }

    public string UserAgent { get; set; } = "";

    public string ClientAddress { get; set; } = "";

    /// <summary>The serialized authentication ticket, protected for this purpose only.</summary>
    public byte[] Ticket { get; set; } = [];
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> session)
    {
        session.ToTable("UserSession");
        session.Property(s => s.Id).HasMaxLength(64);
        session.Property(s => s.UserId).HasMaxLength(450);
        session.HasIndex(s => s.UserId);
        // Deleting an account (personal data page) takes its sessions with it.
        session.HasOne<HealthPortal.Data.ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        session.Property(s => s.UserAgent).HasMaxLength(UserSessions.MaxUserAgentLength);
        session.Property(s => s.ClientAddress).HasMaxLength(64);
    }
}
