using System.Net;
using HealthPortal.Features.Access;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using HealthPortal.Features.DemoMode;
using HealthPortal.Tests.Features.Access;
using HealthPortal.Tests.Features.Interop;

namespace HealthPortal.Tests.Features.Pseudonyms;

/// <summary>
/// <c>HP-Staff</c> is asserted by the calling facility. The serving node refuses anything that is not a pseudonym of
/// the form nodes make; the calling node writes, in its own audit trail, which account made each call under which
/// pseudonym and nonce, so the pseudonym in a patient's access log leads back to a person at that facility.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class StaffPseudonymBindingTests(InteropWorld world)
{
    private HttpClient Http => world.CreateClient();

    private async Task<(InteropWorld.LedgerPatient Patient, HealthPortal.Ledger.State.RecordEntry Record)> GrantedAsync()
    {
        var patient = await world.PatientAsync();
        var record = await world.RecordAsync(InteropWorld.Holder, patient);
        await world.GrantAsync(patient, world.NodeId(InteropWorld.Caller), [InteropWorld.Kind], world.Now - 1000, world.Now + 3_600_000);
        return (patient, record);
    }

    [Theory]
    [InlineData("staff-1")]
    [InlineData("Aye.Aye.Mon")]
    [InlineData("dr:jane/doe")]
    [InlineData("st-tooShort")]
    [InlineData("st-TestStaffPseudonymOfNoAccountAtAllxxxxxxx+")]
    public async Task StaffNotOfThePseudonymForm_Is401AndLeavesNoAccessLog(string staff)
    {
        var (patient, _) = await GrantedAsync();

        var response = await Http.SendAsync(InteropWorld.ToHttp(world.Sign(world.FacilityKey(InteropWorld.Caller), $"/fhir/r4/Patient/{patient.Mpi}/$everything", staff)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task Reader_StaffNotOfThePseudonymForm_IsInvalid()
    {
        var (patient, _) = await GrantedAsync();

        var read = await world.Get<InteropReader>().EverythingAsync(new InteropCaller(world.NodeId(InteropWorld.Caller), "staff-1", "treatment"), patient.Mpi);

        Assert.Equal(InteropReadStatus.Invalid, read.Status);
        Assert.Empty(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public void EveryPseudonymANodeMakes_IsOfTheFormTheServingNodeAccepts()
    {
        var pseudonyms = world.Get<StaffPseudonyms>();

        for (var i = 0; i < 500; i++)
            Assert.Matches(InteropReader.StaffPattern(), pseudonyms.Of(Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task PortalStaffRead_IsInTheCallingFacilitysAuditWithPseudonymAndNonce()
    {
        var (patient, _) = await GrantedAsync();
        var staff = await world.StaffAsync();
        var sent = new List<InteropRequest>();
        var client = ClientSeeing(sent);

        var result = await client.EverythingAsync(staff.Id, patient.Mpi, "treatment", null);

        Assert.True(result.IsOk, result.Message);
        var entry = Assert.Single(await AuditOfAsync(staff.Id));
        var request = Assert.Single(sent);
        Assert.Equal((FacilityAuditKind.InteropRead, InteropWorld.Caller, patient.Mpi, FacilityAuditOutcome.Answered, 200),
            (entry.Kind, entry.FacilityId, entry.Mpi, entry.Outcome, entry.Status));
        Assert.Equal(request.Header(InteropSignature.NonceHeader), entry.Nonce);
        Assert.Equal(request.Target, entry.Target);
        // The pseudonym the patient sees on the ledger leads, through this node's trail, to the account.
        Assert.Equal(Assert.Single(world.AccessesOf(patient.Mpi)).Staff, entry.StaffPseudonym);
    }

    [Fact]
    public async Task PortalStaffRead_Refused_IsAlsoInTheAudit()
    {
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);
        var staff = await world.StaffAsync();

        var result = await ClientSeeing([]).EverythingAsync(staff.Id, patient.Mpi, "treatment", null);

        Assert.Equal(403, result.Status);
        var entry = Assert.Single(await AuditOfAsync(staff.Id));
        Assert.Equal((FacilityAuditOutcome.Refused, 403, patient.Mpi), (entry.Outcome, entry.Status, entry.Mpi));
    }

    [Fact]
    public async Task PortalStaffSingleRead_NamesThePatientThroughTheAnchor()
    {
        var (patient, record) = await GrantedAsync();
        var staff = await world.StaffAsync();

        var result = await ClientSeeing([]).ReadAsync(staff.Id, InteropFhir.ResourceTypeOf(record), InteropFhir.InteropId(record), "treatment", null);

        Assert.True(result.IsOk, result.Message);
        Assert.Equal(patient.Mpi, Assert.Single(await AuditOfAsync(staff.Id)).Mpi);
    }

    private Task<List<FacilityAuditEntry>> AuditOfAsync(string userId) =>
        world.QueryAsync(db => db.FacilityAudit.AsNoTracking().Where(e => e.UserId == userId && e.Kind == FacilityAuditKind.InteropRead).ToListAsync());

    /// <summary>The portal's own client, over the in-process handler, keeping each request it sends.</summary>
    private InteropClient ClientSeeing(List<InteropRequest> sent) =>
        new(new Recording(new InProcessInteropTransport(world.Get<InteropHandler>()), sent),
            world.Get<IDbContextFactory<HealthPortal.Data.ApplicationDbContext>>(), world.Ledger.Keys, world.Get<StaffPseudonyms>(), world.Ledger,
            world.Get<FacilityAuditTrail>(), world.Clock, world.Get<ILogger<InteropClient>>());

    private sealed class Recording(IInteropTransport inner, List<InteropRequest> sent) : IInteropTransport
    {
        public Task<InteropResponse> SendAsync(InteropRequest request, CancellationToken ct = default)
        {
            sent.Add(request);
            return inner.SendAsync(request, ct);
        }
    }
}
