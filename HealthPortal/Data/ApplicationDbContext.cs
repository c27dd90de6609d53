using HealthPortal.Features.Access;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth.Sessions;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patients;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Data;

public class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<HealthFacility> Facilities => Set<HealthFacility>();
    public DbSet<PatientProfile> PatientProfiles => Set<PatientProfile>();
    public DbSet<StaffInvitation> StaffInvitations => Set<StaffInvitation>();
    public DbSet<KeyRecoveryRequest> KeyRecoveryRequests => Set<KeyRecoveryRequest>();
    public DbSet<BreakGlassReview> BreakGlassReviews => Set<BreakGlassReview>();
    public DbSet<AnchorConfirmation> AnchorConfirmations => Set<AnchorConfirmation>();
    public DbSet<AccessRequest> AccessRequests => Set<AccessRequest>();
    public DbSet<BreakGlassSession> BreakGlassSessions => Set<BreakGlassSession>();
    public DbSet<FacilityAuditEntry> FacilityAudit => Set<FacilityAuditEntry>();
    public DbSet<IdentityCheck> IdentityChecks => Set<IdentityCheck>();
    public DbSet<UserSession> Sessions => Set<UserSession>();
    public DbSet<DeviceLabel> DeviceLabels => Set<DeviceLabel>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<ApplicationUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.Property(u => u.FacilityId).HasMaxLength(64);
            user.HasIndex(u => u.FacilityId);
            user.HasOne<HealthFacility>().WithMany().HasForeignKey(u => u.FacilityId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<HealthFacility>(facility =>
        {
            // The registry table is called Facility (it mirrors the ledger's node registry); the class name
            // avoids clashing with the HealthPortal.Features.Facility portal namespace.
            facility.ToTable("Facility");
            facility.Property(f => f.Id).HasMaxLength(64);
            facility.Property(f => f.Name).HasMaxLength(200);
            facility.HasIndex(f => f.Name).IsUnique();
            facility.Property(f => f.Kind).HasConversion<string>().HasMaxLength(16);
            facility.Property(f => f.Status).HasConversion<string>().HasMaxLength(16);
            facility.Property(f => f.Contact).HasMaxLength(200);
            facility.Property(f => f.Endpoint).HasMaxLength(400);
            facility.Property(f => f.NodeKeyId).HasMaxLength(64);
            facility.Property(f => f.TimeZone).HasMaxLength(Features.Times.PortalTimeZones.MaxIdLength).HasDefaultValue(Features.Times.PortalTimeZones.DefaultId);
        });

        builder.Entity<DeviceLabel>(device =>
        {
            device.ToTable("DeviceLabel");
            device.HasKey(d => d.Kid);
            device.Property(d => d.Kid).HasMaxLength(64);
            device.Property(d => d.Name).HasMaxLength(DeviceLabel.MaxNameLength);
        });

        builder.Entity<PatientProfile>(profile =>
        {
            profile.ToTable("PatientProfile");
            profile.HasKey(p => p.UserId);
            profile.HasOne<ApplicationUser>().WithOne().HasForeignKey<PatientProfile>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
            profile.Property(p => p.FullName).HasMaxLength(200);
            profile.Property(p => p.Sex).HasConversion<string>().HasMaxLength(16);
            profile.Property(p => p.NationalId).HasMaxLength(40);
            // Not unique: a duplicate is saved and flagged for an MPI steward (IdentityCheck) instead of refused,
            // because refusing it told anyone who typed a person's ID that the person is a patient.
            profile.HasIndex(p => p.NationalId);
            profile.Property(p => p.Phone).HasMaxLength(40);
            profile.Property(p => p.MpiNumber).HasMaxLength(40);
            profile.HasIndex(p => p.MpiNumber).IsUnique();
            profile.Property(p => p.PendingMpi).HasMaxLength(40);
            profile.Property(p => p.TimeZone).HasMaxLength(Features.Times.PortalTimeZones.MaxIdLength).HasDefaultValue(Features.Times.PortalTimeZones.DefaultId);
            profile.HasIndex(p => p.PendingMpi).IsUnique();
        });

        builder.Entity<StaffInvitation>(invitation =>
        {
            invitation.ToTable("StaffInvitation");
            invitation.Property(i => i.Id).HasMaxLength(64);
            invitation.Property(i => i.TokenHash).HasMaxLength(64);
            invitation.HasIndex(i => i.TokenHash).IsUnique();
            invitation.HasOne<HealthFacility>().WithMany().HasForeignKey(i => i.FacilityId).OnDelete(DeleteBehavior.Cascade);
            invitation.Property(i => i.Email).HasMaxLength(256);
            invitation.Property(i => i.Role).HasMaxLength(32).HasDefaultValue(HealthPortal.Features.Auth.Roles.FacilityStaff);
        });

        builder.ApplyConfiguration(new KeyRecoveryRequestConfiguration());
        builder.ApplyConfiguration(new BreakGlassReviewConfiguration());
        builder.ApplyConfiguration(new AnchorConfirmationConfiguration());
        builder.ApplyConfiguration(new AnchorConfirmationRecordConfiguration());
        builder.ApplyConfiguration(new AccessRequestConfiguration());
        builder.ApplyConfiguration(new FacilityAuditEntryConfiguration());
        builder.ApplyConfiguration(new IdentityCheckConfiguration());
        MpiRegisterModel.Configure(builder);
        HealthPortal.Features.Retractions.RetractionModel.Configure(builder);
        HealthPortal.Features.Children.ChildModel.Configure(builder);
        builder.ApplyConfiguration(new GrantPurposeNoteConfiguration());
        builder.ApplyConfiguration(new UserSessionConfiguration());

        builder.Entity<BreakGlassSession>(session =>
        {
            session.ToTable("BreakGlassSession");
            session.Property(s => s.Id).HasMaxLength(64);
            session.Property(s => s.FacilityId).HasMaxLength(64);
            session.Property(s => s.FacilityNodeId).HasMaxLength(64);
            session.Property(s => s.UserId).HasMaxLength(450);
            session.Property(s => s.StaffPseudonym).HasMaxLength(64);
            session.Property(s => s.Mpi).HasMaxLength(40);
            session.Property(s => s.Reason).HasMaxLength(InteropOptions.MaxReasonLength);
            session.Property(s => s.ReasonCode).HasMaxLength(32).HasDefaultValue(HealthPortal.Ledger.Transactions.BreakGlassReasons.Other);
            session.Property(s => s.ReasonSalt).HasMaxLength(32).HasDefaultValue("");
            session.HasIndex(s => new { s.FacilityNodeId, s.StaffPseudonym, s.Mpi, s.ExpiresAtMs });
            session.HasIndex(s => new { s.UserId, s.Mpi });
            session.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Restrict);
            session.HasOne<HealthFacility>().WithMany().HasForeignKey(s => s.FacilityId).OnDelete(DeleteBehavior.Restrict);
            session.HasMany(s => s.Accesses).WithOne().HasForeignKey(a => a.SessionId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<BreakGlassAccess>(access =>
        {
            access.ToTable("BreakGlassAccess");
            access.Property(a => a.SessionId).HasMaxLength(64);
            access.Property(a => a.TxId).HasMaxLength(64);
        });
    }
}
