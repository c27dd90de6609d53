using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Children;

/// <summary>
/// A child a guardian registered in the portal (issue 14). The child's demographics are an ordinary
/// <see cref="Patients.PatientProfile"/> held by an account nobody can sign in to (<see cref="ChildUserId"/>) until the
/// child takes over; this row says who the guardian is and how far the registration got: waiting for a facility to see
/// the documents, registered on the ledger by that facility (<see cref="AttestedAt"/>), guardianship signed by the
/// guardian and the facility (<see cref="DelegationId"/>), taken over by the grown-up child (<see cref="TakenOverAt"/>).
/// Names, dates and the document seen stay here, in the node's database; the ledger holds codes and ids only.
/// </summary>
public sealed class ChildRegistration
{
    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public string GuardianUserId { get; set; } = "";
    /// <summary>The account holding the child's profile; no password and no role until the child takes over.</summary>
    public string ChildUserId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The facility whose staff saw the documents and registered the child on the ledger.</summary>
    public string? FacilityId { get; set; }
    /// <summary>A <see cref="GuardianshipDocuments"/> code: what the staff member saw.</summary>
    public string? DocumentsCode { get; set; }
    public string? AttestedByUserId { get; set; }
    public DateTimeOffset? AttestedAt { get; set; }

    /// <summary>The guardianship's <c>delegation.issue</c> id, once the guardian signed it.</summary>
    public string? DelegationId { get; set; }

    /// <summary>
    /// SHA-256 of the current takeover invitation's one-time token (<see cref="Invitations.InvitationToken"/>): the link
    /// itself is shown once to whoever made it and never stored. A new invitation replaces the previous one.
    /// </summary>
    public string? TakeoverTokenHash { get; set; }
    public DateTimeOffset? TakeoverLinkExpiresAt { get; set; }
    /// <summary>The guardian or staff member who made the current takeover invitation.</summary>
    public string? TakeoverLinkMadeByUserId { get; set; }
    /// <summary>When the grown-up child used the invitation to set their e-mail and password (the link is spent).</summary>
    public DateTimeOffset? TakeoverAccountAt { get; set; }

    /// <summary>When the grown-up child's own key was registered and the guardianship ended on the ledger.</summary>
    public DateTimeOffset? TakenOverAt { get; set; }
}

/// <summary>What a facility's staff saw to accept that the guardian is the child's parent or legal guardian.</summary>
public static class GuardianshipDocuments
{
    public const string BirthCertificate = "birth-certificate";
    public const string HouseholdList = "household-list";
    public const string CourtOrder = "guardianship-order";

    public static readonly IReadOnlyList<string> All = [BirthCertificate, HouseholdList, CourtOrder];

    public static bool IsValid(string? code) => code is BirthCertificate or HouseholdList or CourtOrder;

    public static string Label(string? code) => code switch
    {
        BirthCertificate => "Birth certificate naming the guardian as a parent",
        HouseholdList => "Household list (family registration) with the child and the guardian",
        CourtOrder => "Court guardianship order",
        _ => "Not recorded",
    };
}

/// <summary><c>HealthPortal:Delegation</c>: the age at which a child takes over their own records.</summary>
public sealed class ChildrenOptions
{
    public const string Section = "HealthPortal:Delegation";

    /// <summary>
    /// From this birthday a child can get their own account and key, and the guardianship (which the portal signs to
    /// end on that birthday anyway) is ended on the ledger. Children older than this register themselves.
    /// </summary>
    [Range(12, 25)]
    public int TakeoverAge { get; set; } = 18;

    /// <summary>
    /// Days the guardianship runs past the takeover birthday. Without them the records of a grown-up child who has not
    /// taken over yet would be readable by nobody; the takeover itself ends the guardianship on the ledger sooner.
    /// </summary>
    [Range(0, 730)]
    public int HandoverDays { get; set; } = 180;

    /// <summary>Days a takeover invitation link can be used.</summary>
    [Range(1, 30)]
    public int TakeoverLinkDays { get; set; } = 7;
}

public static class ChildModel
{
    public static void Configure(ModelBuilder builder) => builder.Entity<ChildRegistration>(Configure);

    private static void Configure(EntityTypeBuilder<ChildRegistration> e)
    {
        e.ToTable("ChildRegistration");
        e.HasKey(c => c.Id);
        e.Property(c => c.Id).HasMaxLength(32);
        e.Property(c => c.GuardianUserId).HasMaxLength(64);
        e.Property(c => c.ChildUserId).HasMaxLength(64);
        e.HasIndex(c => c.GuardianUserId);
        e.HasIndex(c => c.ChildUserId).IsUnique();
        e.Property(c => c.FacilityId).HasMaxLength(64);
        e.Property(c => c.DocumentsCode).HasMaxLength(32);
        e.Property(c => c.AttestedByUserId).HasMaxLength(64);
        e.Property(c => c.DelegationId).HasMaxLength(128);
        e.Property(c => c.TakeoverTokenHash).HasMaxLength(64);
        e.HasIndex(c => c.TakeoverTokenHash);
        e.Property(c => c.TakeoverLinkMadeByUserId).HasMaxLength(64);
    }
}
