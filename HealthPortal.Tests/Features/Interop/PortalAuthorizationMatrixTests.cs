using HealthPortal.Features.BreakGlass;
using System.Net;
using System.Security.Claims;
using Hl7.Fhir.Model;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;
using static HealthPortal.Tests.Features.Interop.AuthorizationMatrix;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>
/// Every way the portal reads a patient's record × every kind of user × the record's own patient or another ×
/// every grant state × (for staff) break-glass permission and session, generated from the enums below and checked
/// against <see cref="Expected"/>, a deliberately plain statement of the rule.
/// </summary>
/// <remarks>
/// Set up once per run: one portal patient per grant state, each with one lab result held by
/// <see cref="InteropWorld.Holder"/>, the grant state put on the ledger, and one access.log on the ledger (so that
/// "the patient's access log" has content to leak); one other portal patient with a record of their own and a grant to
/// <see cref="InteropWorld.Caller"/> (the <see cref="GrantState.OtherPatient"/> grant); staff and managers of the
/// three facilities, an admin, and one cookie login per account. Only the break-glass state is changed between cases.
/// <para>
/// What "the denial is logged" means, per path:
/// <list type="bullet">
/// <item>Interop client (everything, single read): a new app-log entry with event id 4103 (InteropReadDenied) naming
/// the patient's MPI number or the record's interop id: the reader's, or the client's own when it refuses a caller
/// who is not staff before any node is asked.</item>
/// <item>FHIR API over HTTP (signed by staff's facility node, or with the login cookie only): a new 4103 from the
/// reader, or a new 4101 (InteropRequestRefused, e.g. an unsigned request) whose target names the MPI number or
/// interop id.</item>
/// <item>Patient endpoints over HTTP (receipt, export, AuditEvent export): the refusal itself: 403, or a redirect to
/// the login or access-denied page; for the export, which always answers for the caller's own MPI number, a file named
/// for another MPI number without the record.</item>
/// <item>Patient services (timeline, record detail, access log): their refusal value: a timeline of another MPI number
/// (or none) without the record, a detail lookup authorized as Forbidden, an empty access log where the ledger holds
/// entries.</item>
/// </list>
/// Every allowed read by staff of a facility other than the holder has a new access.log on the ledger naming the
/// record and the staff member's pseudonym; no denied read leaves one.
/// </para>
/// </remarks>
[Collection(InteropCollection.Name)]
public sealed class PortalAuthorizationMatrixTests(InteropWorld world, ITestOutputHelper output)
{
    public enum ReadPath
    {
        InteropClientEverything, InteropClientRead, FhirEverything, FhirSingleRead, FhirEverythingCookieOnly,
        PatientTimeline, PatientRecordDetail, PatientReceipt, PatientExport, AccessLogPage, AccessLogAuditEvents,
    }

    public enum Who { OwnPatient, OtherPatient, HolderStaff, HolderManager, CallerStaff, CallerManager, ThirdStaff, ThirdManager, Admin, Anonymous }

    /// <summary>A break-glass variant: the staff member's permission and the session they claim.</summary>
    public sealed record BreakGlass(bool Permitted, BreakGlassState Session)
    {
        public static readonly BreakGlass NotApplicable = new(false, BreakGlassState.None);
        public override string ToString() => $"{(Permitted ? "permitted" : "not permitted")}/{Session}";
    }

    private sealed record User(Who Who, string? Role, string? Facility, ApplicationUser? Account, ClaimsPrincipal Principal, HttpClient Browser, string? Mpi)
    {
        public bool IsStaff => Role is Roles.FacilityStaff or Roles.FacilityManager;
    }

    private sealed record MatrixPatient(TestPatient Account, InteropWorld.LedgerPatient Ledger, RecordEntry Record, HttpClient Browser)
    {
        public string Mpi => Ledger.Mpi;
    }

    private static bool IsPatientSide(ReadPath path) => path >= ReadPath.PatientTimeline;

    /// <summary>
    /// The rule, stated plainly: a patient reads only their own records, and only through the patient portal; staff and
    /// managers of the facility holding a record read it through the staff paths; those of any other facility only
    /// under a grant of that patient to that facility covering the record's kind and in force now, or under an active
    /// emergency session while they hold the permission; admins and anonymous callers read no record content. The
    /// FHIR API answers facility nodes' signed requests only: a portal login on its own opens nothing there.
    /// </summary>
    private static bool Expected(ReadPath path, User user, string mpi, GrantFacts grant, BreakGlass breakGlass) => path != ReadPath.FhirEverythingCookieOnly && user.Role switch
    {
        Roles.Patient => IsPatientSide(path) && user.Mpi == mpi,
        Roles.FacilityStaff or Roles.FacilityManager => !IsPatientSide(path)
            && (user.Facility == InteropWorld.Holder || grant.Allows(user.Facility!, mpi) || breakGlass is { Permitted: true, Session: BreakGlassState.Active }),
        _ => false,
    };

    [Fact]
    public async Task EveryReadIsAllowedExactlyWhenThePatientAGrantOrBreakGlassAllowsIt()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        _ = world.Services; // the shared portal starts (and seeds its demo data) on first use: not part of this test's cost when others ran first
        output.WriteLine($"portal up in {started.Elapsed.TotalSeconds:F1} s");
        var other = await PatientWithRecordAsync();
        var otherUser = new User(Who.OtherPatient, Roles.Patient, null, null, other.Account.Principal, other.Browser, other.Mpi);
        var patients = new Dictionary<GrantState, (MatrixPatient Patient, GrantFacts Grant)>();
        foreach (var state in Enum.GetValues<GrantState>())
        {
            var patient = await PatientWithRecordAsync();
            patients[state] = (patient, await world.SetUpGrantAsync(state, patient.Ledger, other.Ledger));
        }
        var staffAndOthers = new List<User>
        {
            await StaffAsync(Who.HolderStaff, Roles.FacilityStaff, InteropWorld.Holder), await StaffAsync(Who.HolderManager, Roles.FacilityManager, InteropWorld.Holder),
            await StaffAsync(Who.CallerStaff, Roles.FacilityStaff, InteropWorld.Caller), await StaffAsync(Who.CallerManager, Roles.FacilityManager, InteropWorld.Caller),
            await StaffAsync(Who.ThirdStaff, Roles.FacilityStaff, InteropWorld.Third), await StaffAsync(Who.ThirdManager, Roles.FacilityManager, InteropWorld.Third),
            await StaffAsync(Who.Admin, Roles.Admin, null),
            new User(Who.Anonymous, null, null, null, new ClaimsPrincipal(new ClaimsIdentity()), world.CreateBrowser(), null),
        };
        BreakGlass[] staffBreakGlass = [.. from permitted in new[] { true, false } from session in Enum.GetValues<BreakGlassState>() select new BreakGlass(permitted, session)];
        output.WriteLine($"set up in {started.Elapsed.TotalSeconds:F1} s");

        var failures = new List<string>();
        var tried = 0;
        foreach (var state in Enum.GetValues<GrantState>())
        {
            var (patient, grant) = patients[state];
            var own = new User(Who.OwnPatient, Roles.Patient, null, null, patient.Account.Principal, patient.Browser, patient.Mpi);
            foreach (var user in (User[])[own, otherUser, .. staffAndOthers])
            foreach (var breakGlass in user.IsStaff ? staffBreakGlass : [BreakGlass.NotApplicable])
            {
                var session = user.IsStaff ? await world.SetBreakGlassStateAsync(user.Account!, patient.Mpi, breakGlass.Permitted, breakGlass.Session) : null;
                foreach (var path in Enum.GetValues<ReadPath>())
                {
                    tried++;
                    var name = $"{path} × {user.Who} × grant {state} × break-glass {breakGlass}";
                    var logsBefore = DenialLogs(patient).Count;
                    var accessesBefore = world.AccessesOf(patient.Mpi).Count;

                    var (allowed, refused) = await ReadAsync(path, user, patient, session);

                    var expected = Expected(path, user, patient.Mpi, grant, breakGlass);
                    var newAccesses = world.AccessesOf(patient.Mpi).Skip(accessesBefore).ToList();
                    if (allowed != expected) failures.Add($"{name}: expected {(expected ? "allowed" : "denied")}, was {(allowed ? "allowed" : "denied")}");
                    if (allowed && user.IsStaff && user.Facility != InteropWorld.Holder)
                    {
                        var pseudonym = world.Get<StaffPseudonyms>().Of(user.Account!.Id);
                        if (!newAccesses.Any(a => a.Staff == pseudonym && a.Records.Contains(patient.Record.Facility + "/" + patient.Record.RecordId)))
                            failures.Add($"{name}: allowed cross-facility read without an access.log naming the record and the staff member ({newAccesses.Count} new)");
                    }
                    if (!allowed)
                    {
                        if (newAccesses.Count != 0) failures.Add($"{name}: denied but {newAccesses.Count} access logs written");
                        var logged = IsPatientSide(path) ? refused : DenialLogs(patient).Count > logsBefore;
                        if (!logged) failures.Add($"{name}: denial not logged");
                    }
                }
            }
        }

        output.WriteLine($"authorization matrix: {tried} cases tried, {failures.Count} failed, in {started.Elapsed.TotalSeconds:F1} s");
        foreach (var failure in failures.Take(200)) output.WriteLine(failure);
        var staffCount = staffAndOthers.Count(u => u.IsStaff);
        var perGrantState = (2 + staffAndOthers.Count - staffCount + staffCount * staffBreakGlass.Length) * Enum.GetValues<ReadPath>().Length;
        Assert.Equal(perGrantState * Enum.GetValues<GrantState>().Length, tried);
        Assert.Equal(3080, tried); // 11 paths × (4 non-staff callers + 6 staff × 6 break-glass variants) × 7 grant states
        Assert.Empty(failures);
    }

    /// <summary>A portal patient with one lab result held by <see cref="InteropWorld.Holder"/>, one access.log on the ledger, and a cookie login.</summary>
    private async Task<MatrixPatient> PatientWithRecordAsync()
    {
        var (account, ledger) = await world.PortalPatientAsync();
        var record = await world.RecordAsync(InteropWorld.Holder, ledger);
        var access = world.Tx.AccessLog(world.NodeId(InteropWorld.Third), "st-earlier-reader", ledger.Mpi, [record.Facility + "/" + record.RecordId], null, LedgerKit.BreakGlass(), "emergency")
            .SignWith(world.FacilityKey(InteropWorld.Third));
        await world.Commit(access);
        return new MatrixPatient(account, ledger, record, await world.SignInAsync(account.Email));
    }

    private async Task<User> StaffAsync(Who who, string role, string? facility)
    {
        var account = await world.CreateUserAsync(role, facility);
        return new User(who, role, facility, account, await world.PrincipalOfAsync(account.Email!), await world.SignInAsync(account.Email!), null);
    }

    /// <summary>Denials naming this patient or this record in the app log (4103 from the reader or the client, 4101 from the handler).</summary>
    private IReadOnlyList<CapturedLog.Entry> DenialLogs(MatrixPatient patient)
    {
        var interopId = InteropFhir.InteropId(patient.Record);
        return [.. world.Log.Entries.Where(e => (e.EventId.Id == InteropEvents.ReadDenied.Id || e.EventId.Id == InteropEvents.RequestRefused.Id)
            && (e.Message.Contains(patient.Mpi, StringComparison.Ordinal) || e.Message.Contains(interopId, StringComparison.Ordinal)))];
    }

    /// <summary>Reads <paramref name="patient"/>'s record through <paramref name="path"/> as <paramref name="user"/>: whether its content came back, and whether the path refused in its own way.</summary>
    private async Task<(bool Allowed, bool Refused)> ReadAsync(ReadPath path, User user, MatrixPatient patient, string? session)
    {
        var record = patient.Record;
        var interopId = InteropFhir.InteropId(record);
        var purpose = session is null ? InteropClient.TreatmentPurpose : InteropClient.EmergencyPurpose;
        var userId = user.Account?.Id ?? ""; // an anonymous caller has no account id
        switch (path)
        {
            case ReadPath.InteropClientEverything:
            {
                var result = await world.Get<InteropClient>().EverythingAsync(userId, patient.Mpi, purpose, session);
                return (result.IsOk && result.Records.Any(r => r.RecordId == record.RecordId && r.Integrity == RecordIntegrity.Verified && r.Resource is not null), false);
            }
            case ReadPath.InteropClientRead:
            {
                var result = await world.Get<InteropClient>().ReadAsync(userId, InteropFhir.ResourceTypeOf(record), interopId, purpose, session);
                return (result.IsOk && result.Records is [{ Integrity: RecordIntegrity.Verified, Resource: not null } r] && r.RecordId == record.RecordId, false);
            }
            case ReadPath.FhirEverything:
            {
                var (status, resource) = await FhirAsync(user, $"/fhir/r4/Patient/{patient.Mpi}/$everything", purpose, session, signed: user.IsStaff);
                return (status == HttpStatusCode.OK && resource is Bundle bundle && bundle.Entry.Any(e => e.Resource?.Id == record.RecordId), false);
            }
            case ReadPath.FhirEverythingCookieOnly:
            {
                var (status, resource) = await FhirAsync(user, $"/fhir/r4/Patient/{patient.Mpi}/$everything", purpose, session, signed: false);
                return (status == HttpStatusCode.OK && resource is Bundle bundle && bundle.Entry.Any(e => e.Resource?.Id == record.RecordId), false);
            }
            case ReadPath.FhirSingleRead:
            {
                var (status, resource) = await FhirAsync(user, $"/fhir/r4/{InteropFhir.ResourceTypeOf(record)}/{interopId}", purpose, session, signed: user.IsStaff);
                return (status == HttpStatusCode.OK && resource is Observation o && o.Id == record.RecordId, false);
            }
            case ReadPath.PatientTimeline:
            {
                var timeline = await world.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(user.Principal));
                var shown = timeline.Entries.Any(e => e.TxId == record.TxId && e.Integrity == RecordIntegrity.Verified);
                return (shown && timeline.Mpi == patient.Mpi, !shown && timeline.Mpi != patient.Mpi);
            }
            case ReadPath.PatientRecordDetail:
            {
                var entry = await world.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().OneAsync(user.Principal, record.TxId));
                var lookup = await world.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().AnchorAsync(user.Principal, record.TxId));
                return (entry is { Integrity: RecordIntegrity.Verified } && entry.TxId == record.TxId, entry is null && lookup.Status == RecordLookup.Forbidden);
            }
            case ReadPath.PatientReceipt:
            {
                using var response = await user.Browser.GetAsync($"/patient/records/{record.TxId}/receipt");
                var body = await response.Content.ReadAsStringAsync();
                return (response.StatusCode == HttpStatusCode.OK && body.Contains(record.TxId, StringComparison.Ordinal), IsRefusal(response));
            }
            case ReadPath.PatientExport:
            {
                using var response = await user.Browser.GetAsync("/patient/records/export");
                var body = await response.Content.ReadAsStringAsync();
                var file = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"');
                var contains = body.Contains(record.RecordId, StringComparison.Ordinal);
                var othersFile = response.StatusCode == HttpStatusCode.OK && file is not null && file != PatientRecordExport.FileName(patient.Mpi) && !contains;
                return (response.StatusCode == HttpStatusCode.OK && file == PatientRecordExport.FileName(patient.Mpi) && contains, IsRefusal(response) || othersFile);
            }
            case ReadPath.AccessLogPage:
            {
                var accesses = await world.WithScopeAsync(s => s.GetRequiredService<PatientAccessLog>().AccessesAsync(user.Principal, patient.Mpi));
                // The ledger holds at least the access.log written at set-up, so an empty answer is the refusal.
                return (accesses.Count > 0 && accesses.All(a => a.Mpi == patient.Mpi), accesses.Count == 0 && world.AccessesOf(patient.Mpi).Count > 0);
            }
            default:
            {
                using var response = await user.Browser.GetAsync("/" + AccessExtensions.ExportUrl(patient.Mpi));
                var body = await response.Content.ReadAsStringAsync();
                return (response.StatusCode == HttpStatusCode.OK && body.Contains("AuditEvent", StringComparison.Ordinal) && body.Contains(patient.Mpi, StringComparison.Ordinal),
                    IsRefusal(response));
            }
        }
    }

    /// <summary>
    /// The FHIR API over HTTP, from the user's own signed-in browser: <paramref name="signed"/> as the staff member's
    /// facility node with their pseudonym (what the portal's client does), else with the login cookie alone (all that
    /// anyone but staff has to offer, and what staff would try without their node).
    /// </summary>
    private async Task<(HttpStatusCode Status, Resource? Resource)> FhirAsync(User user, string target, string purpose, string? session, bool signed)
    {
        using var message = signed
            ? InteropWorld.ToHttp(world.Sign(world.FacilityKey(user.Facility!), target, world.Get<StaffPseudonyms>().Of(user.Account!.Id), purpose, session))
            : new HttpRequestMessage(HttpMethod.Get, target);
        using var response = await user.Browser.SendAsync(message);
        return (response.StatusCode, InteropFhir.TryParse(await response.Content.ReadAsStringAsync()));
    }

    private static bool IsRefusal(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Forbidden
        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString is { } to
            && (to.Contains("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase) || to.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase)));
}
