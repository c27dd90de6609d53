using Firely.Fhir.Validation;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Features.Access;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Tests.Features.Access;

/// <summary>The patient's access log over the test portal's real ledger, with access.log entries under a grant and by break-glass.</summary>
[Collection(PortalCollection.Name)]
public sealed class PatientAccessLogTests(PortalFactory portal)
{
    private Task<T> WithLog<T>(Func<PatientAccessLog, Task<T>> work) =>
        portal.WithScopeAsync(services => work(services.GetRequiredService<PatientAccessLog>()));

    [Fact]
    public async Task Mine_ListsEveryAccessNewestFirst_WithFacilityRecordsAndBasis()
    {
        var s = await portal.ScenarioAsync();

        var accesses = await WithLog(log => log.MineAsync(s.Patient.Principal));

        Assert.Equal([s.BreakGlassAccess, s.GrantedAccess], accesses.Select(a => a.TxId));
        var breakGlass = accesses[0];
        Assert.Equal("Riverside General Hospital", breakGlass.FacilityName);
        Assert.Equal("staff-91bc", breakGlass.Staff);
        Assert.Null(breakGlass.StaffAccount);
        Assert.Equal(BreakGlassReasons.Unconscious, breakGlass.BreakGlassCode);
        // Written straight to the ledger, not through a session of this node: no words to show, only the code.
        Assert.Null(breakGlass.BreakGlassText);
        Assert.Null(breakGlass.Grant);
        Assert.Equal([(RecordKinds.Encounter, "Riverside General Hospital", "2026-11-19"), (RecordKinds.LabResult, "Northgate Diagnostics Laboratory", "2026-11-18")],
            breakGlass.Records.Select(r => (r.Kind, r.FacilityName, r.Date)));
        var granted = accesses[1];
        Assert.False(granted.IsBreakGlass);
        Assert.Equal("Lakeview Family Clinic", granted.FacilityName);
        Assert.Equal(s.Grant, granted.Grant!.Id);
        Assert.Equal([RecordKinds.LabResult], granted.Grant.Categories);
        Assert.Equal(Purposes.Treatment, granted.Grant.Purpose);
        Assert.True(granted.Grant.ExpiresAt > granted.Grant.NotBefore);
    }

    [Fact]
    public async Task Mine_NamesStaffByRoleAndFacility_NeverByAccount()
    {
        var patient = await portal.RegisteredPatientAsync();
        var lab = await portal.AnchorAsync(patient, AccessKit.Northgate, RecordKinds.LabResult);
        var grant = await portal.GrantAsync(patient, AccessKit.Lakeview);
        var (manager, staff) = await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<HealthPortal.Data.ApplicationUser>>();
            var pseudonyms = services.GetRequiredService<HealthPortal.Features.Pseudonyms.StaffPseudonyms>();
            var m = await users.FindByEmailAsync(PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.FacilityManager, AccessKit.Lakeview));
            var st = await users.FindByEmailAsync(PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.FacilityStaff, AccessKit.Lakeview));
            return (pseudonyms.Of(m!.Id), pseudonyms.Of(st!.Id));
        });
        await portal.AccessAsync(patient, AccessKit.Lakeview, manager, [lab], grant: grant);
        await portal.AccessAsync(patient, AccessKit.Lakeview, staff, [lab], grant: grant);
        await portal.AccessAsync(patient, AccessKit.Lakeview, "staff-unknown", [lab], grant: grant);

        var accesses = await WithLog(log => log.MineAsync(patient.Principal));

        Assert.Equal(["Staff member at Lakeview Family Clinic", "Staff member at Lakeview Family Clinic", "Manager at Lakeview Family Clinic"],
            accesses.Select(a => a.StaffLabel));
        Assert.Equal([null, "Staff member", "Manager"], accesses.Select(a => a.StaffRole));
        // The account behind a pseudonym is for the admins' review only.
        Assert.All(accesses, a => Assert.Null(a.StaffAccount));
    }

    [Fact]
    public async Task Mine_DoesNotListAnotherPatientsAccesses()
    {
        var s = await portal.ScenarioAsync();
        var other = await portal.RegisteredPatientAsync();
        await portal.AccessAsync(other, AccessKit.Lakeview, "staff-0001", [], breakGlass: BreakGlassReasons.Other);

        var mine = await WithLog(log => log.MineAsync(s.Patient.Principal));
        var theirs = await WithLog(log => log.MineAsync(other.Principal));

        Assert.Equal(2, mine.Count);
        Assert.All(mine, a => Assert.Equal(s.Patient.Mpi, a.Mpi));
        Assert.Equal(BreakGlassReasons.Other, Assert.Single(theirs).BreakGlassCode);
    }

    [Fact]
    public async Task Accesses_OfAnotherPatientsMpi_AreRefused()
    {
        var s = await portal.ScenarioAsync();
        var other = await portal.RegisteredPatientAsync();

        Assert.Empty(await WithLog(log => log.AccessesAsync(other.Principal, s.Patient.Mpi!)));
        Assert.Null(await WithLog(log => log.AuditEventsAsync(other.Principal, s.Patient.Mpi!)));
    }

    [Fact]
    public async Task Filter_ByFacility_KeepsThatFacilityOnly()
    {
        var s = await portal.ScenarioAsync();

        var lakeview = await WithLog(log => log.MineAsync(s.Patient.Principal, new AccessFilter(FacilityId: AccessKit.NodeOf(portal, AccessKit.Lakeview))));

        Assert.Equal(s.GrantedAccess, Assert.Single(lakeview).TxId);
    }

    [Fact]
    public async Task Filter_BreakGlassOnly_KeepsBreakGlassOnly()
    {
        var s = await portal.ScenarioAsync();

        var breakGlass = await WithLog(log => log.MineAsync(s.Patient.Principal, new AccessFilter(BreakGlassOnly: true)));

        Assert.Equal(s.BreakGlassAccess, Assert.Single(breakGlass).TxId);
    }

    [Fact]
    public async Task Filter_DateRange_IncludesBothEndsAndExcludesOtherDays()
    {
        var s = await portal.ScenarioAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var within = await WithLog(log => log.MineAsync(s.Patient.Principal, new AccessFilter(From: today, To: today)));
        var before = await WithLog(log => log.MineAsync(s.Patient.Principal, new AccessFilter(To: today.AddDays(-1))));
        var after = await WithLog(log => log.MineAsync(s.Patient.Principal, new AccessFilter(From: today.AddDays(1))));

        Assert.Equal(2, within.Count);
        Assert.Empty(before);
        Assert.Empty(after);
    }

    [Fact]
    public async Task RecentBreakGlass_ListsTheBreakGlassAccessOnly()
    {
        var s = await portal.ScenarioAsync();

        var recent = await WithLog(log => log.RecentBreakGlassAsync(s.Patient.Principal));

        Assert.Equal(s.BreakGlassAccess, Assert.Single(recent).TxId);
    }

    [Fact]
    public async Task AuditEvents_MapEachAccessToAnAuditEvent()
    {
        var s = await portal.ScenarioAsync();

        var bundle = (await WithLog(log => log.AuditEventsAsync(s.Patient.Principal, s.Patient.Mpi!)))!;

        var events = bundle.Entry.Select(e => Assert.IsType<AuditEvent>(e.Resource)).ToList();
        Assert.Equal(2, events.Count);
        var breakGlass = events[0];
        Assert.Equal("rest", breakGlass.Type.Code);
        Assert.Equal("read", Assert.Single(breakGlass.Subtype).Code);
        Assert.Equal(AuditEvent.AuditEventAction.R, breakGlass.Action);
        Assert.Equal(AuditEvent.AuditEventOutcome.N0, breakGlass.Outcome);
        Assert.Contains(breakGlass.PurposeOfEvent, p => p.Coding.Any(c => c.System == AccessAuditEvents.ActReason && c.Code == "BTG"));
        Assert.Contains(breakGlass.PurposeOfEvent, p => p.Coding.Any(c => c.System == AccessAuditEvents.BreakGlassReasonSystem && c.Code == BreakGlassReasons.Unconscious));
        Assert.Equal(AccessKit.NodeOf(portal, AccessKit.Riverside), breakGlass.Agent[0].Who!.Identifier!.Value);
        Assert.Equal("staff-91bc", breakGlass.Agent[1].Who!.Identifier!.Value);
        Assert.True(breakGlass.Agent[1].Requestor);
        Assert.Equal(s.Patient.Mpi, breakGlass.Entity[0].What!.Identifier!.Value);
        Assert.Equal([s.EncounterRecord, s.LabRecord], breakGlass.Entity.Where(e => e.What!.Identifier!.System == AccessAuditEvents.RecordSystem).Select(e => e.What!.Identifier!.Value));
        Assert.NotNull(breakGlass.Source!.Observer!.Identifier!.Value);
        Assert.Contains(events[1].PurposeOfEvent, p => p.Coding.Any(c => c.System == AccessAuditEvents.ActReason && c.Code == "TREAT"));
    }

    [Fact]
    public async Task AuditEvents_ValidateAgainstBaseR4WithoutErrors()
    {
        var s = await portal.ScenarioAsync();
        var bundle = (await WithLog(log => log.AuditEventsAsync(s.Patient.Principal, s.Patient.Mpi!)))!;
        // Round-trip through the export's JSON, so what is validated is what a patient downloads.
        var parsed = System.Text.Json.JsonSerializer.Deserialize<Bundle>(AccessAuditEvents.Serialize(bundle),
            new System.Text.Json.JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector))!;
        var errors = FhirValidation.ErrorsOf(parsed);

        Assert.True(errors.Count == 0, string.Join("\n", errors));
        // The validator does check: the same bundle without a required element fails.
        ((AuditEvent)parsed.Entry[0].Resource!).Type = null!;
        Assert.NotEmpty(FhirValidation.ErrorsOf(parsed));
    }
}
