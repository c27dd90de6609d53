using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// grant.issue and grant.revoke refusals GrantRulesTests does not cover, and revocation taking effect from the time
/// of its block. The clock is a <see cref="ManualClock"/>, so every block's time is where the test puts it.
/// </summary>
public sealed class GrantRevokeRulesTests
{
    private const string Mpi = "MPI-0001";
    private const long Day = 86_400_000;

    private sealed record Scenario(LedgerKit Kit, ManualClock Clock, LedgerKeyPair Lab, LedgerKeyPair Clinic, LedgerKeyPair Patient) : IAsyncDisposable
    {
        public static async Task<Scenario> Create()
        {
            var clock = new ManualClock();
            var kit = new LedgerKit(clock: clock);
            var lab = await kit.Facility(NodeStatus.Approved, "laboratory");
            var clinic = await kit.Facility(NodeStatus.Approved);
            var patient = await kit.Patient(Mpi);
            await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1", "lab"));
            return new Scenario(kit, clock, lab, clinic, patient);
        }

        public async Task<string> Grant(long notBefore, long expiresAt, params string[] categories)
            => (await Kit.MustCommit(Kit.Tx.GrantIssue(Mpi, Clinic.Id, categories.Length == 0 ? ["lab"] : categories, "treatment", notBefore, expiresAt).SignWith(Patient))).Receipt!.TransactionId;

        public HealthPortal.Ledger.Transactions.Transaction Access(string grant)
            => Kit.Tx.AccessLog(Clinic.Id, "dr-a", Mpi, [$"{Lab.Id}/lab-1"], grant, null, "treatment").SignWith(Clinic);

        public HealthPortal.Ledger.Transactions.Transaction Revoke(string grant, LedgerKeyPair? signer = null, string mpi = Mpi)
            => Kit.Tx.GrantRevoke(mpi, grant).SignWith(signer ?? Patient);

        public ValueTask DisposeAsync() => Kit.DisposeAsync();
    }

    [Fact]
    public async Task AccessLog_AfterRevokeCommitted_IsRefusedGrantNotActive()
    {
        await using var s = await Scenario.Create();
        var grant = await s.Grant(s.Clock.UnixMs, s.Clock.UnixMs + Day);
        await s.Kit.MustCommit(s.Access(grant));

        await s.Kit.MustCommit(s.Revoke(grant));

        await s.Kit.MustRefuse(s.Access(grant), LedgerError.GrantNotActive);
    }

    [Fact]
    public async Task GrantRevoke_RecordsItsBlocksTimeAndHeight_AndTheGrantIsInactiveFromThatMillisecond()
    {
        await using var s = await Scenario.Create();
        var grant = await s.Grant(s.Clock.UnixMs, s.Clock.UnixMs + Day);
        s.Clock.Advance(TimeSpan.FromMinutes(5));

        var revoked = await s.Kit.MustCommit(s.Revoke(grant));

        var entry = s.Kit.Engine.State.Grant(grant)!;
        Assert.Equal(revoked.Receipt!.Height, entry.RevokedHeight);
        Assert.Equal(s.Clock.UnixMs, entry.RevokedAt);
        Assert.True(entry.IsActiveAt(s.Clock.UnixMs - 1));
        Assert.False(entry.IsActiveAt(s.Clock.UnixMs));
    }

    [Fact]
    public async Task GrantRevoke_Twice_IsRefusedGrantAlreadyRevoked()
    {
        await using var s = await Scenario.Create();
        var grant = await s.Grant(s.Clock.UnixMs, s.Clock.UnixMs + Day);
        await s.Kit.MustCommit(s.Revoke(grant));

        await s.Kit.MustRefuse(s.Revoke(grant), LedgerError.GrantAlreadyRevoked);
    }

    [Fact]
    public async Task GrantRevoke_OfAnotherPatientsGrant_IsRefusedUnknownGrant()
    {
        await using var s = await Scenario.Create();
        var grant = await s.Grant(s.Clock.UnixMs, s.Clock.UnixMs + Day);
        var other = await s.Kit.Patient("MPI-0002");

        await s.Kit.MustRefuse(s.Revoke(grant, other, "MPI-0002"), LedgerError.UnknownGrant);
    }

    [Fact]
    public async Task GrantRevoke_ByAnotherPatientsKey_IsRefusedSignerNotAuthorized()
    {
        await using var s = await Scenario.Create();
        var grant = await s.Grant(s.Clock.UnixMs, s.Clock.UnixMs + Day);
        var other = await s.Kit.Patient("MPI-0002");

        await s.Kit.MustRefuse(s.Revoke(grant, other), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task GrantRevoke_ByARevokedKey_IsRefusedRevokedKey()
    {
        await using var s = await Scenario.Create();
        var grant = await s.Grant(s.Clock.UnixMs, s.Clock.UnixMs + Day);
        var second = LedgerKeyPair.Create();
        await s.Kit.MustCommit(s.Kit.Tx.KeyAdd(Mpi, second.PublicJwk).SignWith(s.Patient).SignWith(second));
        await s.Kit.MustCommit(s.Kit.Tx.KeyRevoke(Mpi, s.Patient.Id).SignWith(second));

        await s.Kit.MustRefuse(s.Revoke(grant), LedgerError.RevokedKey);
    }

    [Fact]
    public async Task GrantRevoke_OfAnUnknownGrant_IsRefusedUnknownGrant()
    {
        await using var s = await Scenario.Create();

        await s.Kit.MustRefuse(s.Revoke(LedgerKit.Hash("no such grant")), LedgerError.UnknownGrant);
    }

    [Fact]
    public async Task GrantIssue_ToAFacilityNotApproved_IsRefusedNodeNotApproved()
    {
        await using var s = await Scenario.Create();
        var pending = await s.Kit.Facility(NodeStatus.Pending);

        var grant = s.Kit.Tx.GrantIssue(Mpi, pending.Id, ["all"], "treatment", s.Clock.UnixMs, s.Clock.UnixMs + Day).SignWith(s.Patient);

        await s.Kit.MustRefuse(grant, LedgerError.NodeNotApproved);
    }

    [Fact]
    public async Task GrantIssue_SignedByAFacilityInsteadOfThePatient_IsRefusedSignerNotAuthorized()
    {
        await using var s = await Scenario.Create();

        var grant = s.Kit.Tx.GrantIssue(Mpi, s.Clinic.Id, ["all"], "treatment", s.Clock.UnixMs, s.Clock.UnixMs + Day).SignWith(s.Clinic);

        await s.Kit.MustRefuse(grant, LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task GrantIssue_EndingAtItsBlocksTime_IsRefusedGrantNotActive()
    {
        await using var s = await Scenario.Create();

        var grant = s.Kit.Tx.GrantIssue(Mpi, s.Clinic.Id, ["all"], "treatment", s.Clock.UnixMs - Day, s.Clock.UnixMs).SignWith(s.Patient);

        await s.Kit.MustRefuse(grant, LedgerError.GrantNotActive);
    }

    [Fact]
    public async Task GrantIssue_EndingOneMillisecondAfterItsBlocksTime_Commits()
    {
        await using var s = await Scenario.Create();

        await s.Kit.MustCommit(s.Kit.Tx.GrantIssue(Mpi, s.Clinic.Id, ["all"], "treatment", s.Clock.UnixMs - Day, s.Clock.UnixMs + 1).SignWith(s.Patient));
    }

    [Fact]
    public async Task GrantIssue_OneMillisecondLongerThanMaxGrantDays_StartingLater_IsRefusedGrantTooLong()
    {
        await using var s = await Scenario.Create();
        var maxDays = s.Kit.Genesis.Parameters.MaxGrantDays;
        var notBefore = s.Clock.UnixMs + 10 * Day;

        var grant = s.Kit.Tx.GrantIssue(Mpi, s.Clinic.Id, ["all"], "treatment", notBefore, notBefore + maxDays * Day + 1).SignWith(s.Patient);

        await s.Kit.MustRefuse(grant, LedgerError.GrantTooLong);
    }

    [Fact]
    public async Task AccessLog_UnderAllGrant_CoversAnyCategory()
    {
        await using var s = await Scenario.Create();
        await s.Kit.MustCommit(s.Kit.Anchor(s.Lab, s.Patient, Mpi, "img-1", "imaging"));
        var grant = await s.Grant(s.Clock.UnixMs, s.Clock.UnixMs + Day, "all");

        await s.Kit.MustCommit(s.Kit.Tx.AccessLog(s.Clinic.Id, "dr-a", Mpi, [$"{s.Lab.Id}/lab-1", $"{s.Lab.Id}/img-1"], grant, null, "treatment").SignWith(s.Clinic));
    }
}
