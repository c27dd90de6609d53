using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Notices;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patients;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HealthPortal.Features.Mpi;

/// <summary>What the patient says is not theirs: a facility's MRN linked to their MPI number, or one record.</summary>
public enum DisputeTarget { Link, Record }

/// <summary>
/// Where a dispute stands. <see cref="Unlinked"/>: the steward took the MRN off the patient's number.
/// <see cref="Retracted"/>: the record was retracted on the ledger as filed under the wrong patient.
/// <see cref="Confirmed"/>: the steward found the link or record is the patient's and said why.
/// </summary>
public enum DisputeStatus { Open, Unlinked, Retracted, Confirmed }

/// <summary>The steward's answer to a dispute.</summary>
public enum DisputeAnswer { Unlink, Retract, ThisIsYou }

/// <summary>
/// A patient's "this is not me" (source <see cref="ReviewSource.Dispute"/> of the stewards' queue), with their words
/// and, once answered, the steward's answer and reason. Kept in this node's database; the ledger only ever sees the
/// retraction it may lead to, as a code.
/// </summary>
public sealed class MpiDispute
{
    public int Id { get; set; }
    public string Mpi { get; set; } = "";
    /// <summary>The facility whose stewards answer it (the portal's facility id).</summary>
    public string FacilityId { get; set; } = "";
    public DisputeTarget Target { get; set; }
    /// <summary>For <see cref="DisputeTarget.Link"/>: the facility's MRN.</summary>
    public string? Mrn { get; set; }
    /// <summary>For <see cref="DisputeTarget.Record"/>: the anchored record's id.</summary>
    public string? RecordId { get; set; }
    public string Words { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DisputeStatus Status { get; set; }
    public string? Answer { get; set; }
    public string? StewardId { get; set; }
    public string? StewardName { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
}

internal sealed class MpiDisputeConfiguration : IEntityTypeConfiguration<MpiDispute>
{
    public void Configure(EntityTypeBuilder<MpiDispute> e)
    {
        e.ToTable("MpiDispute");
        e.HasIndex(x => new { x.FacilityId, x.Status });
        e.HasIndex(x => x.Mpi);
        e.Property(x => x.Mpi).HasMaxLength(20);
        e.Property(x => x.FacilityId).HasMaxLength(64);
        e.Property(x => x.Mrn).HasMaxLength(32);
        e.Property(x => x.RecordId).HasMaxLength(128);
        e.Property(x => x.Words).HasMaxLength(MpiStewardQueue.MaxReasonLength);
        e.Property(x => x.Answer).HasMaxLength(MpiStewardQueue.MaxReasonLength);
        e.Property(x => x.StewardName).HasMaxLength(256);
        e.Property(x => x.Target).HasConversion<string>().HasMaxLength(16);
        // Two stewards answering at once: the second finds the status changed and is told so.
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
    }
}

/// <summary>
/// Retracts a record as filed under the wrong patient, for a steward's answer to a dispute. Implemented by
/// <c>Retractions/</c> (which signs on the ledger), so this folder does not depend on it. Null: done; else why not.
/// </summary>
public interface IRecordRetractor
{
    Task<string?> RetractWrongPatientAsync(ClaimsPrincipal steward, string facilityId, string recordId, string words, CancellationToken ct = default);
}

/// <summary>A dispute as the patient and the stewards see it.</summary>
public sealed record DisputeView(int Id, string Mpi, string FacilityId, string FacilityName, DisputeTarget Target, string? Mrn, string? RecordId, string Words,
    DateTimeOffset CreatedAt, DisputeStatus Status, string? Answer, string? StewardName, DateTimeOffset? AnsweredAt)
{
    public ReviewSource Source => ReviewSource.Dispute;
}

/// <summary>
/// The patient's "this is not me" (issue 13) and the stewards' answers. A patient disputes an MRN of a facility that
/// names their MPI number, or one record anchored under it; the dispute goes to that facility's MPI stewards (and the
/// consortium admin), who unlink the MRN (it gets a new number of its own), retract the record, or answer "this is you"
/// with a reason. The patient sees the outcome on "My identity" and by mail. Authorized per call on the server: the
/// patient only on their own number, a steward only in their facility's queue.
/// </summary>
public sealed class MpiDisputes(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, MpiStewardQueue queue,
    TimeProvider clock, ILogger<MpiDisputes> logger, LedgerHost? ledger = null, IRecordRetractor? retractor = null, PatientNoticeMails? mails = null)
{
    public const int MaxWords = MpiStewardQueue.MaxReasonLength;

    /// <summary>The calling patient opens a dispute on <paramref name="target"/> at <paramref name="facilityId"/>.</summary>
    /// <param name="reference">The MRN (link) or the record id (record).</param>
    public async Task<Result<DisputeView, StewardError>> OpenAsync(ClaimsPrincipal patient, string facilityId, DisputeTarget target, string reference, string? words,
        CancellationToken ct = default)
    {
        if (await MpiOfAsync(patient, ct) is not { } mpi) return Result.Fail(StewardError.Forbidden, "Only a registered patient can dispute a link.");
        var e = new FieldErrors();
        var said = e.Required("Words", words, "What is wrong", MaxWords, multiline: true);
        if (e.Any) return Result.Invalid(StewardError.Invalid, e.List);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == facilityId, ct);
        if (facility is null) return Result.Fail(StewardError.NotFound, "No such facility.");
        var numbers = await NumbersOfAsync(db, mpi, ct);
        // The patient disputes only what is under their own number: an MRN of theirs, or a record anchored for them.
        var theirs = target switch
        {
            DisputeTarget.Link => await db.Set<MpiRegisterEntry>().AnyAsync(r => r.FacilityId == facilityId && r.Mrn == reference && numbers.Contains(r.Mpi), ct),
            DisputeTarget.Record => facility.NodeKeyId is { } node && ledger?.Reader.Record(node, reference) is { } anchor && numbers.Contains(anchor.Mpi),
            _ => false,
        };
        if (!theirs) return Result.Fail(StewardError.NotFound, "This is not linked to your MPI number.");
        var open = await db.Set<MpiDispute>().AnyAsync(d => d.Mpi == mpi && d.FacilityId == facilityId && d.Target == target
            && (target == DisputeTarget.Link ? d.Mrn == reference : d.RecordId == reference) && d.Status == DisputeStatus.Open, ct);
        if (open) return Result.Fail(StewardError.AlreadyDecided, "You already said this is not you; the facility's stewards have not answered yet.");

        var dispute = new MpiDispute
        {
            Mpi = mpi, FacilityId = facilityId, Target = target, Mrn = target == DisputeTarget.Link ? reference : null,
            RecordId = target == DisputeTarget.Record ? reference : null, Words = said, CreatedAt = clock.GetUtcNow(), Status = DisputeStatus.Open,
        };
        db.Add(dispute);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Dispute {Id} opened by the patient of {Mpi} on a {Target} at facility {Facility}", dispute.Id, mpi, target, facilityId);
        return View(dispute, facility.Name);
    }

    /// <summary>The calling patient's disputes, newest first.</summary>
    public async Task<IReadOnlyList<DisputeView>> MineAsync(ClaimsPrincipal patient, CancellationToken ct = default)
    {
        if (await MpiOfAsync(patient, ct) is not { } mpi) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ViewsAsync(db, db.Set<MpiDispute>().Where(d => d.Mpi == mpi), ct);
    }

    /// <summary>The disputes a steward answers (their facility's; every one for the admin): open ones first, then the latest answered.</summary>
    public async Task<Result<IReadOnlyList<DisputeView>, StewardError>> QueueAsync(ClaimsPrincipal steward, int answered = 20, CancellationToken ct = default)
    {
        if (await queue.ScopeAsync(steward, ct) is not { } scope) return Result.Fail(StewardError.Forbidden, "Only the facility's MPI stewards answer disputes.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = db.Set<MpiDispute>().Where(d => scope.FacilityId == null || d.FacilityId == scope.FacilityId);
        var open = await ViewsAsync(db, mine.Where(d => d.Status == DisputeStatus.Open), ct);
        var done = (await ViewsAsync(db, mine.Where(d => d.Status != DisputeStatus.Open), ct)).Take(answered);
        IReadOnlyList<DisputeView> all = [.. open.OrderBy(d => d.CreatedAt), .. done];
        return Result<IReadOnlyList<DisputeView>, StewardError>.Ok(all);
    }

    /// <summary>A steward answers dispute <paramref name="id"/>; the reason is required and the patient reads it.</summary>
    public async Task<Result<DisputeStatus, StewardError>> AnswerAsync(ClaimsPrincipal steward, int id, DisputeAnswer answer, string? reason, CancellationToken ct = default)
    {
        if (await queue.ScopeAsync(steward, ct) is not { } scope) return Result.Fail(StewardError.Forbidden, "Only the facility's MPI stewards answer disputes.");
        var why = (reason ?? "").Trim();
        if (why.Length < 3) return Result.Invalid(StewardError.Invalid, "Reason", "Say what you found, in words the patient will read.");
        if (why.Length > MaxWords) return Result.Invalid(StewardError.Invalid, "Reason", $"Keep the reason to {MaxWords} characters; this has {why.Length}.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var dispute = await db.Set<MpiDispute>().SingleOrDefaultAsync(d => d.Id == id && (scope.FacilityId == null || d.FacilityId == scope.FacilityId), ct);
        if (dispute is null) return Result.Fail(StewardError.NotFound, "This dispute is not in your queue.");
        if (dispute.Status != DisputeStatus.Open) return Result.Fail(StewardError.AlreadyDecided, "Another steward has already answered this dispute.");

        switch (answer)
        {
            case DisputeAnswer.Unlink when dispute.Target == DisputeTarget.Link:
                var numbers = await NumbersOfAsync(db, dispute.Mpi, ct);
                var entry = await db.Set<MpiRegisterEntry>().SingleOrDefaultAsync(r => r.FacilityId == dispute.FacilityId && r.Mrn == dispute.Mrn, ct);
                // The MRN is someone else's: it gets a number of its own, as a new walk-in would, and no longer names the patient.
                if (entry is not null && numbers.Contains(entry.Mpi)) entry.Mpi = MpiNumber.NewNumber();
                dispute.Status = DisputeStatus.Unlinked;
                break;
            case DisputeAnswer.Retract when dispute.Target == DisputeTarget.Record:
                if (scope.FacilityId is null) return Result.Fail(StewardError.Forbidden, "Only the facility that anchored the record can retract it; leave this one to its stewards.");
                if (retractor is null) return Result.Fail(StewardError.Invalid, "Retraction is not available on this node.");
                if (await retractor.RetractWrongPatientAsync(steward, dispute.FacilityId, dispute.RecordId!, why, ct) is { } problem)
                    return Result.Fail(StewardError.Invalid, problem);
                dispute.Status = DisputeStatus.Retracted;
                break;
            case DisputeAnswer.ThisIsYou:
                dispute.Status = DisputeStatus.Confirmed;
                break;
            default:
                return Result.Fail(StewardError.Invalid, dispute.Target == DisputeTarget.Link
                    ? "For a link, choose: unlink the MRN, or this is the patient."
                    : "For a record, choose: retract it, or this is the patient's.");
        }
        dispute.Answer = why;
        dispute.StewardId = scope.UserId;
        dispute.StewardName = scope.Name;
        dispute.AnsweredAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result.Fail(StewardError.AlreadyDecided, "Another steward has already answered this dispute.");
        }
        await NotifyAsync(db, dispute, ct);
        return dispute.Status;
    }

    private async Task NotifyAsync(ApplicationDbContext db, MpiDispute dispute, CancellationToken ct)
    {
        if (mails is null) return;
        var to = await (from profile in db.PatientProfiles
                        join user in db.Users on profile.UserId equals user.Id
                        where profile.MpiNumber == dispute.Mpi && user.EmailConfirmed && user.Email != null
                        select new { user.Email, user.DisplayName, profile.FullName, profile.TimeZone }).FirstOrDefaultAsync(ct);
        if (to is null) return;
        var facility = await db.Facilities.AsNoTracking().Where(f => f.Id == dispute.FacilityId).Select(f => f.Name).SingleOrDefaultAsync(ct) ?? "the facility";
        var name = !string.IsNullOrWhiteSpace(to.DisplayName) ? to.DisplayName : !string.IsNullOrWhiteSpace(to.FullName) ? to.FullName : "there";
        try
        {
            await mails.DisputeAnsweredAsync(new NoticeRecipient(to.Email!, name, to.TimeZone), facility, dispute.AnsweredAt!.Value);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The answer is saved and shown on the patient's page; a mail that cannot go now must not undo it.
            logger.LogWarning(ex, "The answer to dispute {Id} could not be mailed", dispute.Id);
        }
    }

    private static async Task<IReadOnlyList<DisputeView>> ViewsAsync(ApplicationDbContext db, IQueryable<MpiDispute> query, CancellationToken ct)
    {
        var rows = await query.AsNoTracking().ToListAsync(ct);
        var ids = rows.Select(r => r.FacilityId).Distinct().ToList();
        var names = await db.Facilities.AsNoTracking().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        return [.. rows.OrderByDescending(r => r.AnsweredAt ?? r.CreatedAt).Select(r => View(r, names.GetValueOrDefault(r.FacilityId, "a facility")))];
    }

    private static DisputeView View(MpiDispute d, string facilityName) =>
        new(d.Id, d.Mpi, d.FacilityId, facilityName, d.Target, d.Mrn, d.RecordId, d.Words, d.CreatedAt, d.Status, d.Answer, d.StewardName, d.AnsweredAt);

    /// <summary>The patient's number and every retired number that now reads as it (MRNs may still name one of those).</summary>
    public static async Task<HashSet<string>> NumbersOfAsync(ApplicationDbContext db, string mpi, CancellationToken ct)
    {
        var retired = await MpiPeople.RetiredAsync(db, ct);
        return [mpi, .. retired.Keys.Where(k => MpiPeople.Resolve(retired, k) == mpi)];
    }

    /// <summary>The calling patient's MPI number from their profile (never from the browser).</summary>
    private async Task<string?> MpiOfAsync(ClaimsPrincipal patient, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(patient, PortalPolicies.PatientPortal)).Succeeded) return null;
        var userId = patient.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync(ct);
    }
}
