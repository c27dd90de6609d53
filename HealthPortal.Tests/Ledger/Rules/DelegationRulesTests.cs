using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// Delegations on the ledger: a caregiver signs for the patient only with the powers and in the period delegated and
/// until revoked (from its block); a keyless child gets a facility-attested guardianship, and later a first key of
/// their own with which they end it. Every refusal names its code; replay rebuilds the same state.
/// </summary>
public sealed class DelegationRulesTests
{
    private const string Parent = "MPI-PARENT";
    private const string Carer = "MPI-CARER";
    private const string Child = "MPI-CHILD";
    private const long Day = 86_400_000;

    /// <summary>An elderly parent, their adult child as caregiver (share and cosign, not devices), a lab and a clinic.</summary>
    private sealed record Scenario(LedgerKit Kit, ManualClock Clock, LedgerKeyPair Lab, LedgerKeyPair Parent, LedgerKeyPair Carer, string Delegation, long Until) : IAsyncDisposable
    {
        public static async Task<Scenario> Create(params string[] powers)
        {
            var clock = new ManualClock();
            var kit = new LedgerKit(clock: clock);
            var lab = await kit.Facility(NodeStatus.Approved, NodeKind.Laboratory);
            var parent = await kit.Patient(DelegationRulesTests.Parent);
            var carer = await kit.Patient(DelegationRulesTests.Carer);
            var until = kit.Now + 30 * Day;
            var issued = await kit.MustCommit(kit.Tx.DelegationIssue(DelegationRulesTests.Parent, DelegationRulesTests.Carer,
                powers.Length == 0 ? [DelegationPowers.View, DelegationPowers.Share, DelegationPowers.Cosign] : powers,
                kit.Now, until, DelegationKinds.Caregiver).SignWith(parent));
            return new Scenario(kit, clock, lab, parent, carer, issued.Receipt!.TransactionId, until);
        }

        public Transaction Grant() => Kit.Tx.GrantIssue(DelegationRulesTests.Parent, Lab.Id, ["lab"], Purposes.Treatment, Kit.Now, Kit.Now + Day);

        public Transaction Anchor(string record) => Kit.Tx.RecordAnchor(DelegationRulesTests.Parent, Lab.Id, record, "lab", "2026-12-01", LedgerKit.Hash(record), $"Observation/{record}");

        public ValueTask DisposeAsync() => Kit.DisposeAsync();
    }

    [Fact]
    public async Task CaregiverGrant_SignedByTheDelegateUnderTheDelegation_CommitsAndRecordsWhoSignedForWhom()
    {
        await using var s = await Scenario.Create();

        var grant = await s.Kit.MustCommit(TransactionFactory.OnBehalf(s.Grant(), s.Delegation).SignWith(s.Carer));

        Assert.NotNull(s.Kit.Engine.State.Grant(grant.Receipt!.TransactionId));
        var act = Assert.Single(s.Kit.Engine.Reader.DelegatedActsOf(Parent));
        Assert.Equal((grant.Receipt.TransactionId, s.Delegation, Carer, s.Carer.Id, TxType.GrantIssue, DelegationPowers.Share),
            (act.TxId, act.Delegation, act.Delegate, act.Signer, act.Type, act.Power));
        Assert.Empty(s.Kit.Engine.Reader.DelegatedActsOf(Carer));
    }

    [Fact]
    public async Task CaregiverCosign_OfARecordAnchor_CommitsAsTheParentsRecord()
    {
        await using var s = await Scenario.Create();

        await s.Kit.MustCommit(TransactionFactory.OnBehalf(s.Anchor("lab-1"), s.Delegation).SignWith(s.Lab).SignWith(s.Carer));

        Assert.Equal(Parent, Assert.Single(s.Kit.Engine.Reader.RecordsOf(Parent)).Mpi);
        Assert.Equal(TxType.RecordAnchor, Assert.Single(s.Kit.Engine.Reader.DelegatedActsOf(Parent)).Type);
    }

    [Fact]
    public async Task DelegateSignature_WithoutNamingTheDelegation_IsRefusedSignerNotAuthorized()
    {
        await using var s = await Scenario.Create();

        await s.Kit.MustRefuse(s.Grant().SignWith(s.Carer), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task DelegateWithoutThePower_IsRefusedPowerNotDelegated()
    {
        await using var s = await Scenario.Create(DelegationPowers.View, DelegationPowers.Cosign);
        var second = LedgerKeyPair.Create();

        await s.Kit.MustRefuse(TransactionFactory.OnBehalf(s.Grant(), s.Delegation).SignWith(s.Carer), LedgerError.PowerNotDelegated);
        await s.Kit.MustRefuse(TransactionFactory.OnBehalf(s.Kit.Tx.KeyAdd(Parent, second.PublicJwk), s.Delegation).SignWith(s.Carer).SignWith(second),
            LedgerError.PowerNotDelegated);
        Assert.Empty(s.Kit.Engine.Reader.DelegatedActsOf(Parent));
    }

    [Fact]
    public async Task DelegateWithTheDevicesPower_AddsAKeyToThePatient()
    {
        await using var s = await Scenario.Create(DelegationPowers.Devices);
        var phone = LedgerKeyPair.Create();

        await s.Kit.MustCommit(TransactionFactory.OnBehalf(s.Kit.Tx.KeyAdd(Parent, phone.PublicJwk), s.Delegation).SignWith(s.Carer).SignWith(phone));

        Assert.Equal(Parent, s.Kit.Engine.State.Key(phone.Id)!.Mpi);
        Assert.Equal(DelegationPowers.Devices, Assert.Single(s.Kit.Engine.Reader.DelegatedActsOf(Parent)).Power);
    }

    [Fact]
    public async Task AfterTheEndOfThePeriod_IsRefusedDelegationExpired_AndOneMillisecondBeforeCommits()
    {
        await using var s = await Scenario.Create();
        s.Clock.UnixMs = s.Until - 1;
        await s.Kit.MustCommit(TransactionFactory.OnBehalf(s.Grant(), s.Delegation).SignWith(s.Carer));

        s.Clock.UnixMs = s.Until;

        await s.Kit.MustRefuse(TransactionFactory.OnBehalf(s.Grant(), s.Delegation).SignWith(s.Carer), LedgerError.DelegationExpired);
    }

    [Fact]
    public async Task BeforeTheStartOfThePeriod_IsRefusedDelegationExpired()
    {
        await using var s = await Scenario.Create();
        var later = await s.Kit.MustCommit(s.Kit.Tx.DelegationIssue(Parent, Carer, [DelegationPowers.Share], s.Kit.Now + Day, s.Kit.Now + 2 * Day, DelegationKinds.Caregiver).SignWith(s.Parent));

        await s.Kit.MustRefuse(TransactionFactory.OnBehalf(s.Grant(), later.Receipt!.TransactionId).SignWith(s.Carer), LedgerError.DelegationExpired);
    }

    [Fact]
    public async Task AfterRevocation_TheDelegateIsRefusedDelegationRevoked()
    {
        await using var s = await Scenario.Create();
        await s.Kit.MustCommit(s.Kit.Tx.DelegationRevoke(Parent, s.Delegation).SignWith(s.Parent));

        await s.Kit.MustRefuse(TransactionFactory.OnBehalf(s.Grant(), s.Delegation).SignWith(s.Carer), LedgerError.DelegationRevoked);
        await s.Kit.MustRefuse(s.Kit.Tx.DelegationRevoke(Parent, s.Delegation).SignWith(s.Parent), LedgerError.DelegationRevoked);
        var entry = s.Kit.Engine.Reader.Delegation(s.Delegation)!;
        Assert.Equal(s.Parent.Id, entry.RevokedBy);
        Assert.False(entry.IsActiveAt(s.Kit.Now));
    }

    [Fact]
    public async Task TheDelegate_MayStepDown_AStrangerMayNotRevoke()
    {
        await using var s = await Scenario.Create();
        var stranger = await s.Kit.Patient("MPI-STRANGER");

        await s.Kit.MustRefuse(s.Kit.Tx.DelegationRevoke(Parent, s.Delegation).SignWith(stranger), LedgerError.SignerNotAuthorized);
        await s.Kit.MustCommit(s.Kit.Tx.DelegationRevoke(Parent, s.Delegation).SignWith(s.Carer));
    }

    [Fact]
    public async Task ADelegationOfAnotherPatient_IsRefusedDelegationNotFound()
    {
        await using var s = await Scenario.Create();
        var other = await s.Kit.Patient("MPI-OTHER");
        var grant = s.Kit.Tx.GrantIssue("MPI-OTHER", s.Lab.Id, ["lab"], Purposes.Treatment, s.Kit.Now, s.Kit.Now + Day);

        await s.Kit.MustRefuse(TransactionFactory.OnBehalf(grant, s.Delegation).SignWith(s.Carer), LedgerError.DelegationNotFound);
        await s.Kit.MustRefuse(s.Kit.Tx.DelegationRevoke("MPI-OTHER", s.Delegation).SignWith(other), LedgerError.DelegationNotFound);
    }

    [Fact]
    public async Task ACaregiverDelegation_SignedByTheDelegateItself_IsRefused()
    {
        await using var s = await Scenario.Create();

        await s.Kit.MustRefuse(s.Kit.Tx.DelegationIssue(Parent, Carer, [DelegationPowers.Share], s.Kit.Now, s.Kit.Now + Day, DelegationKinds.Caregiver).SignWith(s.Carer),
            LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task ADelegateWallet_CannotSignForThePatient()
    {
        await using var s = await Scenario.Create();
        var wallet = Nethereum.Signer.EthECKey.GenerateKey();
        await s.Kit.MustCommit(s.Kit.WalletSigned(s.Kit.Tx.KeyAddWallet(Carer, wallet.GetPublicAddress()).SignWith(s.Carer), wallet));

        var result = await s.Kit.MustRefuse(s.Kit.WalletSigned(TransactionFactory.OnBehalf(s.Grant(), s.Delegation), wallet), LedgerError.SignerNotAuthorized);

        Assert.Contains("ES256", result.ToString());
    }

    // ---- children ---------------------------------------------------------------------------------------------

    /// <summary>A clinic registers a keyless child; the parent becomes guardian, attested by the clinic.</summary>
    private static async Task<(LedgerKit Kit, LedgerKeyPair Clinic, LedgerKeyPair Guardian, string Guardianship)> ChildWithGuardian()
    {
        var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var guardian = await kit.Patient(Parent);
        await kit.MustCommit(kit.Tx.KeylessRegister(Child, LedgerKit.Hash("child"), clinic.Id).SignWith(clinic));
        var issued = await kit.MustCommit(kit.Tx.DelegationIssue(Child, Parent, DelegationPowers.All, kit.Now, kit.Now + 5000 * Day, DelegationKinds.Guardian, clinic.Id)
            .SignWith(guardian).SignWith(clinic));
        return (kit, clinic, guardian, issued.Receipt!.TransactionId);
    }

    [Fact]
    public async Task AKeylessChild_HasNoKey_AndTheGuardianCosignsTheChildsVisit()
    {
        var (kit, clinic, guardian, guardianship) = await ChildWithGuardian();
        await using var _ = kit;

        Assert.Empty(kit.Engine.Reader.KeysOf(Child));
        await kit.MustCommit(TransactionFactory.OnBehalf(kit.Tx.RecordAnchor(Child, clinic.Id, "visit-1", "visit", "2026-12-01", LedgerKit.Hash("v"), "Encounter/visit-1"), guardianship)
            .SignWith(clinic).SignWith(guardian));

        Assert.Single(kit.Engine.Reader.RecordsOf(Child));
        Assert.Equal(2, kit.Engine.Reader.DelegationsOf(Child).Count + kit.Engine.Reader.DelegationsOf(Parent).Count);
    }

    [Fact]
    public async Task AGuardianship_WithoutTheFacilitysSignature_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var guardian = await kit.Patient(Parent);
        var stranger = await kit.Patient(Carer);
        await kit.MustCommit(kit.Tx.KeylessRegister(Child, LedgerKit.Hash("child"), clinic.Id).SignWith(clinic));

        await kit.MustRefuse(kit.Tx.DelegationIssue(Child, Parent, DelegationPowers.All, kit.Now, kit.Now + Day, DelegationKinds.Guardian, clinic.Id)
            .SignWith(guardian).SignWith(stranger), LedgerError.MissingSignature);
        // The guardian is the delegate: another patient's key with the facility does not make someone a guardian.
        await kit.MustRefuse(kit.Tx.DelegationIssue(Child, Parent, DelegationPowers.All, kit.Now, kit.Now + Day, DelegationKinds.Guardian, clinic.Id)
            .SignWith(stranger).SignWith(clinic), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task TheChild_TakesOverWithAFacilityAttestedFirstKey_AndEndsTheGuardianship()
    {
        var (kit, clinic, guardian, guardianship) = await ChildWithGuardian();
        await using var _ = kit;
        var own = LedgerKeyPair.Create();

        await kit.MustCommit(kit.Tx.KeyAddAttested(Child, own.PublicJwk, clinic.Id).SignWith(clinic).SignWith(own));
        await kit.MustCommit(kit.Tx.DelegationRevoke(Child, guardianship).SignWith(own));

        Assert.Equal(own.Id, kit.Engine.Reader.Delegation(guardianship)!.RevokedBy);
        await kit.MustRefuse(TransactionFactory.OnBehalf(kit.Tx.RecordAnchor(Child, clinic.Id, "visit-2", "visit", "2026-12-01", LedgerKit.Hash("v"), "Encounter/visit-2"), guardianship)
            .SignWith(clinic).SignWith(guardian), LedgerError.DelegationRevoked);
        // A second attested key is refused: the child has a key now and a lost one goes through recovery.
        var another = LedgerKeyPair.Create();
        await kit.MustRefuse(kit.Tx.KeyAddAttested(Child, another.PublicJwk, clinic.Id).SignWith(clinic).SignWith(another), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task AFacilityAttestedKey_ForAnAdultWithKeys_IsRefused()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        await kit.Patient(Parent);
        var taken = LedgerKeyPair.Create();

        await kit.MustRefuse(kit.Tx.KeyAddAttested(Parent, taken.PublicJwk, clinic.Id).SignWith(clinic).SignWith(taken), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task AKeylessRegistration_SignedByAnotherFacility_IsRefused()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var other = await kit.Facility(NodeStatus.Approved);

        await kit.MustRefuse(kit.Tx.KeylessRegister(Child, LedgerKit.Hash("child"), clinic.Id).SignWith(other), LedgerError.SignerNotAuthorized);
    }

    // ---- replay -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task DelegationsAndDelegatedActs_SurviveARestart_AndFullReplayVerifies()
    {
        var (kit, clinic, guardian, guardianship) = await ChildWithGuardian();
        await using var _ = kit;
        await kit.MustCommit(TransactionFactory.OnBehalf(kit.Tx.RecordAnchor(Child, clinic.Id, "visit-1", "visit", "2026-12-01", LedgerKit.Hash("v"), "Encounter/visit-1"), guardianship)
            .SignWith(clinic).SignWith(guardian));

        await kit.Restart();
        var reloaded = kit.Engine.Reader.Delegation(guardianship)!;
        Assert.Equal((Child, Parent, DelegationKinds.Guardian, clinic.Id), (reloaded.Mpi, reloaded.Delegate, reloaded.Kind, reloaded.Facility));
        Assert.Equal(DelegationPowers.All, reloaded.Powers);
        Assert.Single(kit.Engine.Reader.DelegatedActsOf(Child));
        await kit.Close();

        var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);
        Assert.True(report.IsValid, report.ToLine());
    }
}
