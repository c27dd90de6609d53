using HealthPortal.Features.BreakGlass;
using System.Net;
using Hl7.Fhir.Model;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Records;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;
using static HealthPortal.Tests.Features.Interop.AuthorizationMatrix;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>
/// Every read path × every grant state × every break-glass state, generated from the enums below (add a value and the
/// matrix grows). A read returns the record exactly when an active grant covering it or an active emergency session
/// allows it; every allowed read has its access.log on the ledger naming the record and its basis; every denial is in
/// the application log and leaves no access.log.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class InteropAuthorizationMatrixTests(InteropWorld world, ITestOutputHelper output)
{
    public enum ReadPath { InProcessClient, HttpEverything, HttpSingleRead }

    [Fact]
    public async Task ReadIsAllowedExactlyWhenAGrantOrBreakGlassAllowsIt()
    {
        var staff = await world.StaffAsync(InteropWorld.Caller, canBreakGlass: true);
        var pseudonym = world.Get<StaffPseudonyms>().Of(staff.Id);
        var failures = new List<string>();
        var tried = 0;

        foreach (var path in Enum.GetValues<ReadPath>())
        foreach (var grantState in Enum.GetValues<GrantState>())
        foreach (var breakGlass in Enum.GetValues<BreakGlassState>())
        {
            tried++;
            var name = $"{path} × grant {grantState} × break-glass {breakGlass}";
            var patient = await world.PatientAsync();
            var record = await world.RecordAsync(InteropWorld.Holder, patient);
            var grant = await world.SetUpGrantAsync(grantState, patient);
            var session = await world.SetBreakGlassStateAsync(staff, patient.Mpi, permitted: true, breakGlass);
            var deniedBefore = world.Log.Of(InteropEvents.ReadDenied, patient.Mpi).Count;

            var returned = await ReadAsync(path, staff.Id, pseudonym, patient.Mpi, record, session);

            var expected = grant.Allows(InteropWorld.Caller, patient.Mpi) || breakGlass == BreakGlassState.Active;
            var accesses = world.AccessesOf(patient.Mpi);
            if (returned != expected) failures.Add($"{name}: expected {(expected ? "allowed" : "denied")}, was {(returned ? "allowed" : "denied")}");
            if (expected)
            {
                var access = accesses.SingleOrDefault();
                if (access is null) { failures.Add($"{name}: allowed but {accesses.Count} access logs"); continue; }
                if (!access.Records.Contains(record.Facility + "/" + record.RecordId)) failures.Add($"{name}: access log does not name the record");
                if (access.Staff != pseudonym) failures.Add($"{name}: access log names staff {access.Staff}");
                var basisOk = grantState == GrantState.Active ? access.Grant == grant.Id && access.BreakGlass is null : access.BreakGlass == HealthPortal.Ledger.Transactions.BreakGlassReasons.Unconscious && access.Grant is null;
                if (!basisOk) failures.Add($"{name}: access log basis grant={access.Grant} breakGlass={access.BreakGlass}");
            }
            else
            {
                if (accesses.Count != 0) failures.Add($"{name}: denied but {accesses.Count} access logs");
                if (world.Log.Of(InteropEvents.ReadDenied, patient.Mpi).Count <= deniedBefore) failures.Add($"{name}: denial not logged");
            }
        }

        output.WriteLine($"authorization matrix: {tried} cases tried, {failures.Count} failed");
        foreach (var failure in failures) output.WriteLine(failure);
        Assert.Equal(Enum.GetValues<ReadPath>().Length * Enum.GetValues<GrantState>().Length * Enum.GetValues<BreakGlassState>().Length, tried);
        Assert.Equal(63, tried);
        Assert.Empty(failures);
    }

    /// <summary>Reads through <paramref name="path"/>; true when the record's verified content came back.</summary>
    private async Task<bool> ReadAsync(ReadPath path, string userId, string pseudonym, string mpi, HealthPortal.Ledger.State.RecordEntry record, string? session)
    {
        var purpose = session is null ? InteropClient.TreatmentPurpose : InteropClient.EmergencyPurpose;
        switch (path)
        {
            case ReadPath.InProcessClient:
                var result = await world.Get<InteropClient>().EverythingAsync(userId, mpi, purpose, session);
                return result.IsOk && result.Records.Any(r => r.RecordId == record.RecordId && r.Integrity == RecordIntegrity.Verified && r.Resource is not null);
            case ReadPath.HttpEverything:
                var everything = await world.HttpTransport().SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), $"/fhir/r4/Patient/{mpi}/$everything", pseudonym, purpose, session));
                return everything is { Status: (int)HttpStatusCode.OK, Resource: Bundle bundle } && bundle.Entry.Any(e => e.Resource?.Id == record.RecordId);
            default:
                var single = await world.HttpTransport().SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), $"/fhir/r4/Observation/{InteropFhir.InteropId(record)}", pseudonym, purpose, session));
                return single is { Status: (int)HttpStatusCode.OK, Resource: Observation o } && o.Id == record.RecordId;
        }
    }
}
