using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Times;
using HealthPortal.Features.Words;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Delegation;

public enum DelegationStatus { Scheduled, Active, Ended, Revoked }

/// <summary>One delegation as the page lists it, with both people's names where this node knows them.</summary>
public sealed record DelegationView(
    string Id, string Kind, string PatientMpi, string PatientName, string DelegateMpi, string DelegateName, IReadOnlyList<string> Powers,
    DateTimeOffset From, DateTimeOffset Until, DelegationStatus Status, long IssuedHeight, long? RevokedHeight);

/// <summary>The signed-in patient's delegations: those they gave and those they hold.</summary>
public sealed record DelegationsView(string? Mpi, IReadOnlyList<DelegationView> Given, IReadOnlyList<DelegationView> Received)
{
    public bool IsRegistered => Mpi is not null;
}

/// <summary>What the patient fills in to give someone access.</summary>
public sealed class DelegationInput
{
    /// <summary>The person's MPI number or the e-mail address of their portal account.</summary>
    public string? Person { get; set; }
    public HashSet<string> Powers { get; set; } = [DelegationPowers.View];
    public DateTime? Start { get; set; }
    public DateTime? End { get; set; }

    public static DelegationInput Default(DateTimeOffset now) => new() { Start = now.UtcDateTime, End = now.UtcDateTime.AddDays(365) };
}

/// <summary>A delegation.issue body ready for the browser to sign, and what it says in words.</summary>
public sealed record DelegationDraft(JsonObject Body, string DelegateName, string DelegateMpi, IReadOnlyList<string> Powers, DateTimeOffset From, DateTimeOffset Until)
{
    public string Summary => DelegationText.Format("Summary", DelegateName, DelegateMpi, DelegationText.PowersSentence(Powers), DelegationText.When(From), DelegationText.When(Until));
}

/// <summary>A delegation issued or revoked: its block and the delegation's id.</summary>
public sealed record DelegationDone(long Height, string DelegationId);

/// <summary>
/// Giving, listing and revoking delegations (docs/delegation.md). The server prepares the body, the patient's browser
/// signs it with its ES256 key (delegations are not signed with wallets: no wallet struct shows them), the server
/// checks that signature against the signer's own active keys and submits. Revocation may be signed by either person.
/// </summary>
public sealed class PatientDelegations(IDbContextFactory<ApplicationDbContext> dbFactory, DelegateAccess access, LedgerHost ledger, TimeProvider clock)
{
    public const string PersonField = "person";
    public const string PowersField = "powers";
    public const string StartField = "start";
    public const string EndField = "end";

    /// <summary>The longest delegation the page offers (a guardianship is made by a facility and may run to adulthood).</summary>
    public const int MaxDays = 5 * 365;

    private readonly TransactionFactory _tx = new(clock);

    public async Task<DelegationsView> LoadAsync(ClaimsPrincipal user)
    {
        var mpi = await access.OwnMpiAsync(user);
        if (mpi is null || ledger.Reader.Patient(mpi) is null) return new DelegationsView(null, [], []);
        var all = ledger.Reader.DelegationsOf(mpi);
        var names = await access.NamesAsync([.. all.Select(d => d.Mpi), .. all.Select(d => d.Delegate)]);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var views = all.Select(d => ToView(d, names, now)).Reverse().ToList();
        return new DelegationsView(mpi, [.. views.Where(v => v.PatientMpi == mpi)], [.. views.Where(v => v.DelegateMpi == mpi)]);
    }

    /// <summary>Checks the form, finds the person and builds the delegation.issue body; nothing is signed or stored.</summary>
    public async Task<Result<DelegationDraft, LedgerError>> DraftIssueAsync(ClaimsPrincipal user, DelegationInput input)
    {
        var mpi = await access.OwnMpiAsync(user);
        if (mpi is null || ledger.Reader.Patient(mpi) is null)
            return Result.Invalid(LedgerError.UnknownPatient, "", DelegationText.Text("NotRegistered"));
        var problems = new List<FieldError>();
        var person = await FindPersonAsync(input.Person);
        if (string.IsNullOrWhiteSpace(input.Person)) problems.Add(new(PersonField, DelegationText.Text("PersonRequired")));
        else if (person is null) problems.Add(new(PersonField, DelegationText.Text("PersonUnknown")));
        else if (person.Value.Mpi == mpi) problems.Add(new(PersonField, DelegationText.Text("PersonIsYou")));
        if (input.Powers.Count == 0) problems.Add(new(PowersField, DelegationText.Text("PowersRequired")));
        else if (input.Powers.Any(p => !DelegationPowers.IsValid(p))) problems.Add(new(PowersField, DelegationText.Text("PowerUnknown")));
        var now = clock.GetUtcNow();
        if (input.Start is null) problems.Add(new(StartField, DelegationText.Text("StartRequired")));
        else if (Utc(input.Start.Value) < now - TimeSpan.FromMinutes(10)) problems.Add(new(StartField, DelegationText.Text("StartPast")));
        if (input.End is null) problems.Add(new(EndField, DelegationText.Text("EndRequired")));
        else if (input.Start is not null && input.End <= input.Start) problems.Add(new(EndField, DelegationText.Text("EndBeforeStart")));
        else if (input.Start is not null && input.End.Value - input.Start.Value > TimeSpan.FromDays(MaxDays)) problems.Add(new(EndField, DelegationText.Format("TooLong", MaxDays / 365)));
        if (problems.Count > 0) return Result.Invalid(LedgerError.InvalidField, problems);

        // Powers in a fixed order, so the same choice always makes the same body.
        var powers = DelegationPowers.All.Where(input.Powers.Contains).ToList();
        var from = Utc(input.Start!.Value);
        var until = Utc(input.End!.Value);
        var body = _tx.DelegationIssueBody(mpi, person!.Value.Mpi, powers, from.ToUnixTimeMilliseconds(), until.ToUnixTimeMilliseconds(), DelegationKinds.Caregiver);
        return new DelegationDraft(body, person.Value.Name, person.Value.Mpi, powers, from, until);
    }

    /// <summary>Submits a delegation.issue the patient's browser signed.</summary>
    public async Task<Result<DelegationDone, LedgerError>> IssueAsync(ClaimsPrincipal user, JsonObject body, PatientSigner signer, string signature)
    {
        var mpi = await access.OwnMpiAsync(user);
        if (mpi is null || (string?)body["mpi"] != mpi) return Result.Fail(LedgerError.SignerNotAuthorized, DelegationText.Text("OnlyPatient"));
        var signed = Signed(TxType.DelegationIssue, body, mpi, signer, signature);
        if (!signed.IsOk) return Result.Fail(signed.Error, signed.Message!);
        var result = await ledger.Engine.SubmitAsync(signed.Value!);
        return result.IsCommitted ? new DelegationDone(result.Receipt!.Height, result.Receipt.TransactionId) : Refused(result);
    }

    /// <summary>The delegation.revoke body for a delegation the signed-in patient gave or holds, not revoked yet.</summary>
    public async Task<Result<JsonObject, LedgerError>> DraftRevokeAsync(ClaimsPrincipal user, string delegationId)
    {
        var mpi = await access.OwnMpiAsync(user);
        var delegation = ledger.Reader.Delegation(delegationId);
        if (mpi is null || delegation is null || (delegation.Mpi != mpi && delegation.Delegate != mpi))
            return Result.Fail(LedgerError.DelegationNotFound, DelegationText.Text("NotYours"));
        if (delegation.RevokedHeight is not null)
            return Result.Fail(LedgerError.DelegationRevoked, DelegationText.Format("AlreadyRevokedIn", delegation.RevokedHeight));
        return _tx.DelegationRevokeBody(delegation.Mpi, delegation.Id);
    }

    /// <summary>Submits a delegation.revoke signed by the patient or the delegate; effective from its block's time.</summary>
    public async Task<Result<DelegationDone, LedgerError>> RevokeAsync(ClaimsPrincipal user, JsonObject body, PatientSigner signer, string signature)
    {
        var mpi = await access.OwnMpiAsync(user);
        var delegation = ledger.Reader.Delegation((string?)body["delegation"] ?? "");
        if (mpi is null || delegation is null || (delegation.Mpi != mpi && delegation.Delegate != mpi) || (string?)body["mpi"] != delegation.Mpi)
            return Result.Fail(LedgerError.DelegationNotFound, DelegationText.Text("NotYours"));
        var signed = Signed(TxType.DelegationRevoke, body, mpi, signer, signature);
        if (!signed.IsOk) return Result.Fail(signed.Error, signed.Message!);
        var result = await ledger.Engine.SubmitAsync(signed.Value!);
        return result.IsCommitted ? new DelegationDone(result.Receipt!.Height, delegation.Id) : Refused(result);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The person by MPI number or account e-mail, when they are registered on the ledger; null otherwise.</summary>
    private async Task<(string Mpi, string Name)?> FindPersonAsync(string? typed)
    {
        var text = typed?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        string? mpi;
        string? name;
        if (text.Contains('@'))
        {
            var email = text.ToUpperInvariant();
            var profile = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == email)
                .Join(db.PatientProfiles.AsNoTracking(), u => u.Id, p => p.UserId, (u, p) => new { p.MpiNumber, p.FullName }).FirstOrDefaultAsync();
            (mpi, name) = (profile?.MpiNumber, profile?.FullName);
        }
        else
        {
            mpi = text.ToUpperInvariant();
            name = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber == mpi).Select(p => p.FullName).FirstOrDefaultAsync();
        }
        // A patient of another node is on the ledger without a name here: they are named by their MPI number.
        if (mpi is null || ledger.Reader.Patient(mpi) is null) return null;
        return (mpi, name ?? mpi);
    }

    /// <summary>
    /// The transaction with the browser's signature, once it is an active ES256 key of <paramref name="mpi"/> and
    /// verifies. A wallet is refused here in words: the ledger would refuse it too (delegations are ES256 only).
    /// </summary>
    private Result<Transaction, LedgerError> Signed(string type, JsonObject body, string mpi, PatientSigner signer, string signature)
    {
        if (signer is not PatientSigner.BrowserKey)
            return Result.Fail(LedgerError.SignerNotAuthorized, DelegationText.Text("NoWallet"));
        var created = Transaction.Create(type, body);
        if (!created.IsSuccess) return Result.Fail(created.Error, created.Message ?? DelegationText.Text("CannotBuild"));
        return PatientSignatures.Add(ledger.Reader, created.Value!, mpi, signer, signature);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DelegationView ToView(DelegationEntry d, IReadOnlyDictionary<string, string> names, long now)
    {
        var status = d.RevokedHeight is not null ? DelegationStatus.Revoked
            : now < d.From ? DelegationStatus.Scheduled
            : now >= d.Until ? DelegationStatus.Ended
            : DelegationStatus.Active;
        return new DelegationView(d.Id, d.Kind, d.Mpi, names.GetValueOrDefault(d.Mpi) ?? d.Mpi, d.Delegate, names.GetValueOrDefault(d.Delegate) ?? d.Delegate,
            d.Powers, DateTimeOffset.FromUnixTimeMilliseconds(d.From), DateTimeOffset.FromUnixTimeMilliseconds(d.Until), status, d.IssuedHeight, d.RevokedHeight);
    }

    private static Result<DelegationDone, LedgerError> Refused(SubmitResult result) => Result.Fail(result.Error, result.Error switch
    {
        LedgerError.DelegationRevoked => DelegationText.Text("RefusedDelegationRevoked"),
        LedgerError.DelegationNotFound => DelegationText.Text("NotYours"),
        LedgerError.DelegationExpired => DelegationText.Text("RefusedDelegationExpired"),
        LedgerError.UnknownPatient => DelegationText.Text("RefusedUnknownPatient"),
        LedgerError.RevokedKey => DelegationText.Text("RefusedRevokedKey"),
        LedgerError.SignerNotAuthorized => DelegationText.Text("RefusedSignerNotAuthorized"),
        LedgerError.BadSignature => DelegationText.Text("RefusedBadSignature"),
        LedgerError.TimestampOutOfRange => DelegationText.Text("RefusedTimestampOutOfRange"),
        LedgerError.Busy => DelegationText.Text("RefusedBusy"),
        _ => DelegationText.Format("RefusedOther", result.Message),
    });
}

/// <summary>The words for powers and times on the delegation pages.</summary>
public static class DelegationText
{
    // The service's messages and the pages' shared words (DelegationText.resx / .my.resx), in the reader's language:
    // nothing here is stored or signed (the ledger holds power codes and instants).
    private static readonly ResourceWords Texts = new(typeof(DelegationText));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);

    public static string PowerLabel(string power) => power switch
    {
        DelegationPowers.View => Text("PowerView"),
        DelegationPowers.Share => Text("PowerShare"),
        DelegationPowers.Cosign => Text("PowerCosign"),
        DelegationPowers.Devices => Text("PowerDevices"),
        _ => power,
    };

    public static string PowersSentence(IReadOnlyList<string> powers)
    {
        var labels = powers.Select(PowerLabel).ToList();
        return labels.Count <= 1 ? string.Concat(labels) : Format("AndList", string.Join(Text("ListSeparator"), labels[..^1]), labels[^1]);
    }

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("d MMM yyyy", UserTime.Culture);
}
