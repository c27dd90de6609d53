using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// Grants and the accesses they allow. A grant is active on [notBefore, expiresAt): the clock is a
/// <see cref="ManualClock"/> that stands still, so the access's timestamp and its block's time are both exactly
/// where the test puts them.
/// </summary>
public sealed class GrantRulesTests
{
    private const string Mpi = "MPI-0001";
    private const long Day = 86_400_000;

    /// <summary>A lab record of the patient, and a clinic holding a grant to "lab" records on [notBefore, expiresAt).</summary>
    private sealed record Scenario(LedgerKit Kit, ManualClock Clock, LedgerKeyPair Lab, LedgerKeyPair Clinic, LedgerKeyPair Patient, string Grant, long NotBefore, long ExpiresAt) : IAsyncDisposable
    {
        public static async Task<Scenario> Create()
        {
            var clock = new ManualClock();
            var kit = new LedgerKit(clock: clock);
            var lab = await kit.Facility(NodeStatus.Approved, "laboratory");
            var clinic = await kit.Facility(NodeStatus.Approved);
            var patient = await kit.Patient(Mpi);
            await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1", "lab"));
            await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "img-1", "imaging"));
            long notBefore = clock.UnixMs + 60_000, expiresAt = notBefore + 120_000;
            var grant = await kit.MustCommit(kit.Tx.GrantIssue(Mpi, clinic.Id, ["lab"], "treatment", notBefore, expiresAt).SignWith(patient));
            return new Scenario(kit, clock, lab, clinic, patient, grant.Receipt!.TransactionId, notBefore, expiresAt);
        }

        /// <summary>An access.log of <paramref name="record"/> under the grant, stamped with the clock's time now.</summary>
        public HealthPortal.Ledger.Transactions.Transaction Access(string record = "lab-1", string? grant = "", BreakGlassBasis? breakGlass = null)
            => Kit.Tx.AccessLog(Clinic.Id, "dr-a", Mpi, [$"{Lab.Id}/{record}"], grant == "" ? Grant : grant, breakGlass, "treatment").SignWith(Clinic);

        public ValueTask DisposeAsync() => Kit.DisposeAsync();
    }

    [Fact]
    public async Task GrantIssue_LongerThanMaxGrantDays_IsRefusedGrantTooLong()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        var maxDays = kit.Genesis.Parameters.MaxGrantDays;

        var grant = kit.Tx.GrantIssue(Mpi, clinic.Id, ["all"], "treatment", kit.Now, kit.Now + maxDays * Day + 1).SignWith(patient);

        await kit.MustRefuse(grant, LedgerError.GrantTooLong);
    }

    [Fact]
    public async Task GrantIssue_OfExactlyMaxGrantDays_Commits()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        var maxDays = kit.Genesis.Parameters.MaxGrantDays;

        await kit.MustCommit(kit.Tx.GrantIssue(Mpi, clinic.Id, ["all"], "treatment", kit.Now, kit.Now + maxDays * Day).SignWith(patient));
    }

    [Fact]
    public async Task AccessLog_OneMillisecondBeforeExpiry_Commits()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.ExpiresAt - 1;

        await s.Kit.MustCommit(s.Access());
    }

    [Fact]
    public async Task AccessLog_AtExpiry_IsRefusedGrantNotActive()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.ExpiresAt;

        await s.Kit.MustRefuse(s.Access(), LedgerError.GrantNotActive);
    }

    [Fact]
    public async Task AccessLog_AtNotBefore_Commits()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.NotBefore;

        await s.Kit.MustCommit(s.Access());
    }

    [Fact]
    public async Task AccessLog_OneMillisecondBeforeNotBefore_IsRefusedGrantNotActive()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.NotBefore - 1;

        await s.Kit.MustRefuse(s.Access(), LedgerError.GrantNotActive);
    }

    [Fact]
    public async Task AccessLog_OfCategoryTheGrantDoesNotName_IsRefusedGrantDoesNotCover()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.NotBefore;

        await s.Kit.MustRefuse(s.Access("img-1"), LedgerError.GrantDoesNotCover);
    }

    [Fact]
    public async Task AccessLog_WithGrantAndBreakGlass_IsRefusedAccessWithoutBasis()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.NotBefore;

        await s.Kit.MustRefuse(s.Access(breakGlass: LedgerKit.BreakGlass()), LedgerError.AccessWithoutBasis);
    }

    [Fact]
    public async Task AccessLog_WithNeitherGrantNorBreakGlass_IsRefusedAccessWithoutBasis()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.NotBefore;

        await s.Kit.MustRefuse(s.Access(grant: null), LedgerError.AccessWithoutBasis);
    }
}
