using System.Net;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Features.Ehr;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using PatientAnchoring = HealthPortal.Tests.Features.Patient.Records.Anchoring;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// Cross-organisation reads over real HTTP between two nodes on loopback (<see cref="CrossNodeCluster"/>): a facility
/// on node b reads records held on node a only through a's FHIR API (grant checked by a on its replica, the access
/// log signed by b's facility and committed at a before data returns); a patient's timeline on node a fetches a record
/// held on node b over the signed node API (Verified), and records of nodes that are down or silent are Unavailable.
/// </summary>
[Collection(CrossNodeCollection.Name)]
public sealed class CrossNodeInteropTests(CrossNodeCluster cluster, ITestOutputHelper output)
{
    private CrossNodeHost A => cluster.A;
    private CrossNodeHost B => cluster.B;

    [Fact]
    public async Task FhirRead_FromB_OfRecordsHeldAtA_UnderAGrant_GoesOverHttp_AndTheAccessLogCommitsAtAFirst()
    {
        var patient = await A.RegisteredPatientAsync();
        var records = await VisitAnchoredAtAsync(A, CrossNodeCluster.Lakeview, cluster.LakeviewKey, patient);
        // The patient shares from their Sharing page on node a: Riverside is not in a's registry, but approved on the ledger.
        var sharing = (await A.WithScopeAsync(s => s.GetRequiredService<PatientGrants>().LoadAsync(patient.Principal)))!;
        var riverside = Assert.Single(sharing.Facilities, f => f.NodeId == cluster.RiversideKey.Id);
        Assert.Equal("Riverside Clinic", riverside.Name);
        var input = new GrantInput
        {
            FacilityId = riverside.Id, Kinds = [.. records.Select(r => r.Kind).Distinct()], Purpose = GrantPurposes.Treatment,
            Start = DateTime.UtcNow.AddMinutes(-1), End = DateTime.UtcNow.AddDays(30),
        };
        var draft = await A.WithScopeAsync(s => s.GetRequiredService<PatientGrants>().DraftIssueAsync(patient.Principal, input));
        Assert.True(draft.IsOk, draft.Message + string.Join("; ", draft.Fields.Select(f => f.Message)));
        var body = draft.Value!.Body;
        var issued = await A.WithScopeAsync(s => s.GetRequiredService<PatientGrants>().IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantIssue, body)));
        Assert.True(issued.IsOk, issued.Message);
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => B.Ledger.Reader.GrantsOf(patient.Mpi!).Count == 1 && records.All(r => B.Ledger.Reader.Record(cluster.LakeviewKey.Id, r.RecordId) is not null)));
        var staff = await CrossNodeCluster.StaffAsync(B, CrossNodeCluster.Riverside);

        var everything = await B.Get<InteropClient>().EverythingAsync(staff.Id, patient.Mpi!, Purposes.Treatment, null);

        Assert.Equal(200, everything.Status);
        Assert.Equal("grant", everything.Access);
        Assert.Equal(records.Select(r => r.RecordId).Order(), everything.Records.Select(r => r.RecordId).Order());
        Assert.All(everything.Records, r => Assert.Equal(RecordIntegrity.Verified, r.Integrity));
        // The log is on a's replica (a committed it before answering), signed by b's facility, under b's pseudonym for the staff member.
        var access = Assert.Single(A.Ledger.Reader.AccessesOf(patient.Mpi!));
        Assert.Equal(cluster.RiversideKey.Id, access.Facility);
        Assert.Equal(B.Get<StaffPseudonyms>().Of(staff.Id), access.Staff);
        Assert.All(everything.Records, r => Assert.Equal(access.TxId, r.AccessTx));

        var anchor = A.Ledger.Reader.Record(cluster.LakeviewKey.Id, records[0].RecordId)!;
        var single = await B.Get<InteropClient>().ReadAsync(staff.Id, InteropFhir.ResourceTypeOf(anchor), InteropFhir.InteropId(anchor), Purposes.Treatment, null);
        Assert.Equal(200, single.Status);
        Assert.Equal(RecordIntegrity.Verified, Assert.Single(single.Records).Integrity);
        Assert.Equal(2, A.Ledger.Reader.AccessesOf(patient.Mpi!).Count);
    }

    [Fact]
    public async Task FhirRead_FromB_WithoutAGrant_IsRefusedByA_AndNothingIsLogged()
    {
        var patient = await A.RegisteredPatientAsync();
        var records = await VisitAnchoredAtAsync(A, CrossNodeCluster.Lakeview, cluster.LakeviewKey, patient);
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => B.Ledger.Reader.Record(cluster.LakeviewKey.Id, records[0].RecordId) is not null));
        var staff = await CrossNodeCluster.StaffAsync(B, CrossNodeCluster.Riverside);

        var everything = await B.Get<InteropClient>().EverythingAsync(staff.Id, patient.Mpi!, Purposes.Treatment, null);

        Assert.Equal(403, everything.Status);
        Assert.Empty(everything.Records);
        Assert.Empty(A.Ledger.Reader.AccessesOf(patient.Mpi!));
    }

    [Fact]
    public async Task NodeCalls_Unsigned_OrByAnUnknownKey_OrForAnotherPatient_AreRefused()
    {
        var patient = await A.RegisteredPatientAsync();
        var other = await A.RegisteredPatientAsync();
        var records = await VisitAnchoredAtAsync(A, CrossNodeCluster.Lakeview, cluster.LakeviewKey, patient);
        var target = NodeRecordApi.TargetOf(cluster.LakeviewKey.Id, records[0].RecordId);
        using var http = new HttpClient { BaseAddress = A.Url, Timeout = TimeSpan.FromSeconds(10) };

        using (var unsigned = await http.GetAsync(target)) Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        using var stranger = LedgerKeyPair.Create();
        var byStranger = new NodeApiClient(() => stranger, TimeProvider.System);
        Assert.Equal(401, (await byStranger.SendAsync(A.Url, HttpMethod.Get, target, null, patient.Mpi)).Status);
        var fhir = InteropSignature.Sign(stranger, "GET", $"/fhir/r4/Patient/{patient.Mpi}/$everything", "st-TestStaffPseudonymOfNoAccountAtAllxxxxxxxxx", Purposes.Treatment, null, TimeProvider.System);
        using (var message = new HttpRequestMessage(HttpMethod.Get, fhir.Target))
        {
            foreach (var (name, value) in fhir.Headers) message.Headers.TryAddWithoutValidation(name, value);
            using var refused = await http.SendAsync(message);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Node b is approved, but vouching for another patient does not open this patient's record.
        var nodeB = new NodeApiClient(() => B.Ledger.Keys.Get(ServerKeyVault.GenesisNode), TimeProvider.System);
        Assert.Equal(403, (await nodeB.SendAsync(A.Url, HttpMethod.Get, target, null, other.Mpi)).Status);
        Assert.Equal(403, (await nodeB.SendAsync(A.Url, HttpMethod.Get, target, null, null)).Status);
        Assert.Equal(200, (await nodeB.SendAsync(A.Url, HttpMethod.Get, target, null, patient.Mpi)).Status);
    }

    [Fact]
    public async Task Timeline_AtA_FetchesARecordHeldAtB_OverTheNodeApi_Verified()
    {
        var patient = await A.RegisteredPatientAsync();
        var records = await VisitAnchoredAtAsync(B, CrossNodeCluster.Riverside, cluster.RiversideKey, patient);
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => records.All(r => A.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId) is not null)));

        var timeline = await A.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(patient.Principal));

        Assert.Equal(records.Count, timeline.Entries.Count);
        Assert.All(timeline.Entries, e => Assert.Equal(RecordIntegrity.Verified, e.Integrity));
        Assert.All(timeline.Entries, e => Assert.Equal("Riverside Clinic", e.FacilityName));
        Assert.All(timeline.Entries, e => Assert.False(string.IsNullOrEmpty(e.TrustedSummary)));
    }

    [Fact]
    public async Task Timeline_RecordsOfANodeThatIsDown_OrSilent_AreUnavailable_NeverAltered_WithinTheBound()
    {
        var patient = await A.RegisteredPatientAsync();
        var local = await VisitAnchoredAtAsync(A, CrossNodeCluster.Lakeview, cluster.LakeviewKey, patient);
        // Northgate's endpoint refuses connections (its node is down); Westbank's accepts and never answers.
        var down = await AnchorWithoutStoreAsync(cluster.Northgate, patient);
        var silent = await AnchorWithoutStoreAsync(cluster.Westbank, patient);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var timeline = await A.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(patient.Principal));
        output.WriteLine($"timeline with one refused and one silent node: {watch.ElapsedMilliseconds} ms (bound per call {A.Get<NodeApiClient>().Timeout.TotalSeconds} s)");

        Assert.Equal(local.Count + 2, timeline.Entries.Count);
        Assert.Equal(RecordIntegrity.Unavailable, timeline.Entries.Single(e => e.Anchor.RecordId == down).Integrity);
        Assert.Equal(RecordIntegrity.Unavailable, timeline.Entries.Single(e => e.Anchor.RecordId == silent).Integrity);
        Assert.All(timeline.Entries.Where(e => e.Anchor.Facility == cluster.LakeviewKey.Id), e => Assert.Equal(RecordIntegrity.Verified, e.Integrity));
        Assert.Equal(0, timeline.Count(RecordIntegrity.Altered));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the timeline took {watch.Elapsed}");
    }

    [Fact]
    public async Task Everything_FromB_WhenAHolderIsDown_ListsItsRecordsUnavailable()
    {
        var patient = await A.RegisteredPatientAsync();
        var records = await VisitAnchoredAtAsync(A, CrossNodeCluster.Lakeview, cluster.LakeviewKey, patient);
        var down = await AnchorWithoutStoreAsync(cluster.Northgate, patient);
        await CommitAsync(A, PatientAnchoring.By(patient.Key!)(CrossNodeCluster.Tx.GrantIssue(patient.Mpi!, cluster.RiversideKey.Id,
            [.. records.Select(r => r.Kind).Append(RecordKinds.LabResult).Distinct()], Purposes.Treatment, Now - 60_000, Now + 3_600_000)));
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => B.Ledger.Reader.GrantsOf(patient.Mpi!).Count == 1 && B.Ledger.Reader.RecordsOf(patient.Mpi!).Count == records.Count + 1));
        var staff = await CrossNodeCluster.StaffAsync(B, CrossNodeCluster.Riverside);

        var everything = await B.Get<InteropClient>().EverythingAsync(staff.Id, patient.Mpi!, Purposes.Treatment, null);

        Assert.Equal(200, everything.Status);
        Assert.Equal(RecordIntegrity.Unavailable, everything.Records.Single(r => r.RecordId == down).Integrity);
        Assert.All(everything.Records.Where(r => r.RecordId != down), r => Assert.Equal(RecordIntegrity.Verified, r.Integrity));
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A clinic visit saved in the node's own store and anchored (facility and patient signatures) through that node.</summary>
    internal static async Task<IReadOnlyList<EhrRecord>> VisitAnchoredAtAsync(CrossNodeHost node, string facilityId, LedgerKeyPair facilityKey, TestPatient patient)
    {
        var saved = await node.Get<ClinicRecords>().RecordVisitAsync(facilityId, patient.Mpi!, EhrSamples.Visit(), "staff");
        Assert.True(saved.IsOk, saved.Message + string.Join("; ", saved.Fields.Select(f => f.Message)));
        foreach (var record in saved.Value!.Records)
        {
            var tx = CrossNodeCluster.Tx.RecordAnchor(patient.Mpi!, facilityKey.Id, record.RecordId, record.Kind, record.DateText, record.Hash, RecordLink.Of(record));
            await CommitAsync(node, PatientAnchoring.By(patient.Key!)(tx.SignWith(facilityKey)));
        }
        return saved.Value!.Records;
    }

    /// <summary>A lab result anchored for a facility no running node serves; returns its record id.</summary>
    private async Task<string> AnchorWithoutStoreAsync(LedgerKeyPair facility, TestPatient patient)
    {
        var recordId = "lab-" + Guid.NewGuid().ToString("N")[..12];
        var tx = CrossNodeCluster.Tx.RecordAnchor(patient.Mpi!, facility.Id, recordId, RecordKinds.LabResult, "2026-11-30", LedgerKit.Hash(recordId), "Observation/" + recordId);
        await CommitAsync(A, PatientAnchoring.By(patient.Key!)(tx.SignWith(facility)));
        return recordId;
    }

    internal static async Task CommitAsync(CrossNodeHost node, Transaction tx)
    {
        var result = await node.Ledger.Engine.SubmitAsync(tx).AsTask().WaitAsync(CrossNodeCluster.Bound);
        Assert.True(result.IsCommitted, $"{tx.Type} was refused: {result}");
    }
}

/// <summary>Node b is stopped: the patient's timeline on node a shows b's records Unavailable, never Altered, and a's own Verified.</summary>
[Collection(CrossNodeCollection.Name)]
public sealed class CrossNodeDownTests(StoppableCrossNodeCluster cluster, ITestOutputHelper output) : IClassFixture<StoppableCrossNodeCluster>
{
    [Fact]
    public async Task Timeline_AtA_AfterNodeBStops_ShowsBsRecordsUnavailable_NeverAltered()
    {
        var (a, b) = (cluster.A, cluster.B);
        var patient = await a.RegisteredPatientAsync();
        var own = await CrossNodeInteropTests.VisitAnchoredAtAsync(a, CrossNodeCluster.Lakeview, cluster.LakeviewKey, patient);
        var remote = await CrossNodeInteropTests.VisitAnchoredAtAsync(b, CrossNodeCluster.Riverside, cluster.RiversideKey, patient);
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => remote.All(r => a.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId) is not null)));
        var before = await a.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(patient.Principal));
        Assert.All(before.Entries, e => Assert.Equal(RecordIntegrity.Verified, e.Integrity));

        await cluster.StopBAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var after = await a.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(patient.Principal));
        output.WriteLine($"timeline with node b stopped: {watch.ElapsedMilliseconds} ms for {after.Entries.Count} records");

        Assert.Equal(own.Count + remote.Count, after.Entries.Count);
        Assert.All(after.Entries.Where(e => e.Anchor.Facility == cluster.RiversideKey.Id), e => Assert.Equal(RecordIntegrity.Unavailable, e.Integrity));
        Assert.All(after.Entries.Where(e => e.Anchor.Facility == cluster.LakeviewKey.Id), e => Assert.Equal(RecordIntegrity.Verified, e.Integrity));
        Assert.Equal(0, after.Count(RecordIntegrity.Altered));
    }
}
