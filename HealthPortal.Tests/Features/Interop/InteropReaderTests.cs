using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>The read policy on the real ledger, with the clock moved by hand.</summary>
[Collection(InteropCollection.Name)]
public sealed class InteropReaderTests(InteropWorld world)
{
    private InteropReader Reader => world.Get<InteropReader>();
    private InteropCaller Caller(string? session = null, string staff = InteropWorld.TestStaff) => new(world.NodeId(InteropWorld.Caller), staff, "treatment", session);

    private async Task<(InteropWorld.LedgerPatient Patient, HealthPortal.Ledger.State.RecordEntry Record)> PatientWithRecordAsync(string kind = InteropWorld.Kind)
    {
        var patient = await world.PatientAsync();
        return (patient, await world.RecordAsync(InteropWorld.Holder, patient, kind));
    }

    private Task<string> GrantAsync(InteropWorld.LedgerPatient patient, string? facility = null, string kind = InteropWorld.Kind, long? expiresAt = null)
        => world.GrantAsync(patient, facility ?? world.NodeId(InteropWorld.Caller), [kind], world.Now - 1000, expiresAt ?? world.Now + 3_600_000);

    [Fact]
    public async Task Grant_None_DeniesAndLogsTheDenial()
    {
        var (patient, _) = await PatientWithRecordAsync();

        var read = await Reader.EverythingAsync(Caller(), patient.Mpi);

        Assert.Equal(InteropReadStatus.NoBasis, read.Status);
        Assert.Empty(read.Records);
        Assert.Empty(world.AccessesOf(patient.Mpi));
        Assert.NotEmpty(world.Log.Of(InteropEvents.ReadDenied, patient.Mpi));
    }

    [Fact]
    public async Task Grant_Active_WritesAccessLogBeforeFetchingAndReturnsVerifiedRecord()
    {
        var (patient, record) = await PatientWithRecordAsync();
        var grant = await GrantAsync(patient);
        var logsAtFetch = -1;
        world.Fetcher.OnFetch = (f, r) => { if (r == record.RecordId) logsAtFetch = world.AccessesOf(patient.Mpi).Count; };
        try
        {
            var read = await Reader.EverythingAsync(Caller(), patient.Mpi);

            var shared = Assert.Single(read.Records);
            Assert.Equal(RecordIntegrity.Verified, shared.Verified.Integrity);
            Assert.Equal(1, logsAtFetch);
            var access = Assert.Single(world.AccessesOf(patient.Mpi));
            Assert.Equal(grant, access.Grant);
            Assert.Equal([record.Facility + "/" + record.RecordId], access.Records);
            Assert.Equal("treatment", access.Purpose);
            Assert.Equal(access.TxId, shared.AccessTx);
        }
        finally { world.Fetcher.OnFetch = null; }
    }

    [Fact]
    public async Task Grant_ExpiresAtExactBoundary_AllowsOneMillisecondBeforeAndDeniesAtExpiry()
    {
        var (patient, record) = await PatientWithRecordAsync();
        var expiresAt = world.Now + 5_000;
        await GrantAsync(patient, expiresAt: expiresAt);

        world.Clock.UnixMs = expiresAt - 1;
        Assert.Equal(InteropReadStatus.Ok, (await Reader.RecordAsync(Caller(), record.Facility, record.RecordId)).Status);
        world.Clock.UnixMs = expiresAt;
        Assert.Equal(InteropReadStatus.NoBasis, (await Reader.RecordAsync(Caller(), record.Facility, record.RecordId)).Status);
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task Grant_RevokedBetweenTwoReads_DeniesTheSecond()
    {
        var (patient, record) = await PatientWithRecordAsync();
        var grant = await GrantAsync(patient);
        Assert.True((await Reader.RecordAsync(Caller(), record.Facility, record.RecordId)).IsOk);

        await world.RevokeGrantAsync(patient, grant);

        Assert.Equal(InteropReadStatus.NoBasis, (await Reader.RecordAsync(Caller(), record.Facility, record.RecordId)).Status);
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task Grant_OfAnotherKind_WithholdsTheRecord()
    {
        var (patient, record) = await PatientWithRecordAsync(RecordKinds.Diagnosis);
        await GrantAsync(patient, kind: RecordKinds.LabResult);

        var everything = await Reader.EverythingAsync(Caller(), patient.Mpi);
        var single = await Reader.RecordAsync(Caller(), record.Facility, record.RecordId);

        Assert.Equal(InteropReadStatus.Ok, everything.Status);
        Assert.Empty(everything.Records);
        Assert.Equal(InteropReadStatus.NoBasis, single.Status);
        Assert.Empty(world.AccessesOf(patient.Mpi));
        Assert.True(world.Log.Of(InteropEvents.ReadDenied, record.RecordId).Count >= 2);
    }

    [Fact]
    public async Task Grant_ToAnotherFacility_DoesNotAllowTheCaller()
    {
        var (patient, _) = await PatientWithRecordAsync();
        await GrantAsync(patient, facility: world.NodeId(InteropWorld.Third));

        Assert.Equal(InteropReadStatus.NoBasis, (await Reader.EverythingAsync(Caller(), patient.Mpi)).Status);
        Assert.Empty(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task Grant_OfAnotherPatient_DoesNotAllowThisPatient()
    {
        var (patient, _) = await PatientWithRecordAsync();
        var (other, _) = await PatientWithRecordAsync();
        await GrantAsync(other);

        Assert.Equal(InteropReadStatus.NoBasis, (await Reader.EverythingAsync(Caller(), patient.Mpi)).Status);
    }

    [Fact]
    public async Task OwnRecords_AreReturnedWithoutAccessLog()
    {
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Caller, patient);

        var read = await Reader.EverythingAsync(Caller(), patient.Mpi);

        Assert.Equal(AccessBasis.Own, Assert.Single(read.Records).Basis);
        Assert.Empty(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task BreakGlass_WithPermission_AllowsAndLogsTheReason()
    {
        var (patient, record) = await PatientWithRecordAsync();
        var staff = await world.StaffAsync(canBreakGlass: true);
        var started = await world.Get<BreakGlassSessions>().StartAsync(staff.Id, patient.Mpi, BreakGlassReasons.Unconscious, "Unconscious patient, allergies unknown, ER bay 2");
        Assert.True(started.Started, started.Message);
        var pseudonym = world.Get<StaffPseudonyms>().Of(staff.Id);

        var read = await Reader.RecordAsync(Caller(started.Session!.Id, pseudonym), record.Facility, record.RecordId);

        Assert.Equal(AccessBasis.BreakGlass, Assert.Single(read.Records).Basis);
        var access = Assert.Single(world.AccessesOf(patient.Mpi));
        // The ledger has the code and a salted hash of the words; the words stay in the session, in this node's database.
        Assert.Equal(BreakGlassReasons.Unconscious, access.BreakGlass);
        var body = world.Engine.Store.ReadTransaction(world.Engine.Store.FindSeq(HealthPortal.Ledger.Crypto.Base64Url.Decode(access.TxId))!.Value)!.ToTransaction().ValueOrThrow().Body;
        Assert.Equal(started.Session!.ReasonHash, (string?)body["breakGlassHash"]);
        Assert.DoesNotContain("allergies", body.ToJsonString());
        Assert.Null(access.Grant);
        Assert.Equal(pseudonym, access.Staff);
        Assert.Equal([access.TxId], await world.Get<BreakGlassSessions>().AccessesOfAsync(started.Session.Id));
    }

    [Fact]
    public async Task BreakGlass_WithoutPermission_CannotStart()
    {
        var patient = await world.PatientAsync();
        var staff = await world.StaffAsync(canBreakGlass: false);

        var started = await world.Get<BreakGlassSessions>().StartAsync(staff.Id, patient.Mpi, BreakGlassReasons.Unconscious, "Unconscious patient, allergies unknown, ER bay 2");

        Assert.Equal(BreakGlassStartError.NotPermitted, started.Error);
    }

    [Theory]
    [InlineData("Unconscious on arrival \0 allergies unknown", "U+0000")]
    [InlineData("Unconscious on arrival \u202E nwonknu seigrella", "U+202E")]
    public async Task BreakGlass_ReasonWithControlOrBidiCharacter_IsRefused(string reason, string codePoint)
    {
        var patient = await world.PatientAsync();
        var staff = await world.StaffAsync(canBreakGlass: true);

        var started = await world.Get<BreakGlassSessions>().StartAsync(staff.Id, patient.Mpi, BreakGlassReasons.Unconscious, reason);

        Assert.Equal(BreakGlassStartError.ReasonUnsafe, started.Error);
        Assert.Contains(codePoint, started.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Unconscious: Aung Aung")] // words where the code belongs
    public async Task BreakGlass_WithoutAKnownReasonCode_IsRefused(string? code)
    {
        var patient = await world.PatientAsync();
        var staff = await world.StaffAsync(canBreakGlass: true);

        var started = await world.Get<BreakGlassSessions>().StartAsync(staff.Id, patient.Mpi, code, "Unconscious patient, allergies unknown, ER bay 2");

        Assert.Equal(BreakGlassStartError.ReasonCodeRequired, started.Error);
    }

    [Fact]
    public async Task BreakGlass_ShortReason_IsRefused()
    {
        var patient = await world.PatientAsync();
        var staff = await world.StaffAsync(canBreakGlass: true);

        Assert.Equal(BreakGlassStartError.ReasonTooShort, (await world.Get<BreakGlassSessions>().StartAsync(staff.Id, patient.Mpi, BreakGlassReasons.Unconscious, "emergency")).Error);
    }

    [Fact]
    public async Task BreakGlass_SessionExpiresAfterConfiguredMinutes()
    {
        var (patient, record) = await PatientWithRecordAsync();
        var staff = await world.StaffAsync(canBreakGlass: true);
        var sessions = world.Get<BreakGlassSessions>();
        var session = (await sessions.StartAsync(staff.Id, patient.Mpi, BreakGlassReasons.Unconscious, "Unconscious patient, allergies unknown, ER bay 2")).Session!;
        Assert.Equal(60 * 60_000, session.ExpiresAtMs - session.StartedAtMs);
        var caller = Caller(session.Id, world.Get<StaffPseudonyms>().Of(staff.Id));

        world.Clock.UnixMs = session.ExpiresAtMs - 1;
        Assert.True((await Reader.RecordAsync(caller, record.Facility, record.RecordId)).IsOk);
        world.Clock.UnixMs = session.ExpiresAtMs;
        Assert.Equal(InteropReadStatus.NoBasis, (await Reader.RecordAsync(caller, record.Facility, record.RecordId)).Status);
    }

    [Fact]
    public async Task BreakGlass_PermissionWithdrawn_EndsTheOpenSession()
    {
        var (patient, record) = await PatientWithRecordAsync();
        var staff = await world.StaffAsync(canBreakGlass: true);
        var session = (await world.Get<BreakGlassSessions>().StartAsync(staff.Id, patient.Mpi, BreakGlassReasons.Unconscious, "Unconscious patient, allergies unknown, ER bay 2")).Session!;

        await world.SetBreakGlassAsync(staff.Id, false);

        var read = await Reader.RecordAsync(Caller(session.Id, world.Get<StaffPseudonyms>().Of(staff.Id)), record.Facility, record.RecordId);
        Assert.Equal(InteropReadStatus.NoBasis, read.Status);
    }

    [Fact]
    public async Task AccessLogRefusedByTheLedger_ReturnsNothingAndFetchesNothing()
    {
        var (patient, record) = await PatientWithRecordAsync();
        var staff = await world.StaffAsync(canBreakGlass: true);
        var session = await world.ExpiredSessionAsync(staff, patient.Mpi);
        // A reason code outside the ledger's set (words where a code belongs): the access.log is refused at submit.
        await world.QueryAsync(db => db.BreakGlassSessions.Where(s => s.Id == session.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReasonCode, "aung-aung-born-1980").SetProperty(x => x.ExpiresAtMs, world.Now + 60_000)));
        var fetched = false;
        world.Fetcher.OnFetch = (_, r) => fetched |= r == record.RecordId;
        try
        {
            var read = await Reader.RecordAsync(Caller(session.Id, session.StaffPseudonym), record.Facility, record.RecordId);

            Assert.Equal(InteropReadStatus.LogFailed, read.Status);
            Assert.Empty(read.Records);
            Assert.False(fetched);
            Assert.Empty(world.AccessesOf(patient.Mpi));
            Assert.NotEmpty(world.Log.Of(InteropEvents.LogFailed, patient.Mpi));
        }
        finally { world.Fetcher.OnFetch = null; }
    }

    [Fact]
    public async Task AccessLogUnsignable_CallerKeyNotOnThisNode_ReturnsNothing()
    {
        var (patient, _) = await PatientWithRecordAsync();
        var outsider = await world.LedgerFacilityAsync(revoked: false);
        await world.GrantAsync(patient, outsider.Id, [InteropWorld.Kind], world.Now - 1000, world.Now + 60_000);

        var read = await Reader.EverythingAsync(new InteropCaller(outsider.Id, InteropWorld.TestStaff, "treatment"), patient.Mpi);

        Assert.Equal(InteropReadStatus.LogFailed, read.Status);
        Assert.Empty(read.Records);
    }

    [Fact]
    public void Pseudonym_IsStableShortAndKeyed()
    {
        var folder = Directory.CreateTempSubdirectory("hp-pseudonym-").FullName;
        try
        {
            var provider = new EphemeralDataProtectionProvider();
            var one = new StaffPseudonyms(provider, folder);
            var again = new StaffPseudonyms(provider, folder);
            var otherSecret = new StaffPseudonyms(new EphemeralDataProtectionProvider(), Path.Combine(folder, "other"));

            var id = one.Of("user-42");
            Assert.Equal(id, again.Of("user-42"));
            Assert.NotEqual(id, one.Of("user-43"));
            Assert.NotEqual(id, otherSecret.Of("user-42"));
            Assert.True(id.Length <= 64);
            Assert.Matches("^st-[A-Za-z0-9_-]{43}$", id);
            Assert.DoesNotContain("user-42", id);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
