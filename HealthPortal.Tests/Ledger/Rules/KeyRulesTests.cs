using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>A patient's device keys: a revoked key signs nothing, the last key stays, new keys prove possession.</summary>
public sealed class KeyRulesTests
{
    private const string Mpi = "MPI-0001";

    /// <summary>A patient whose first key was replaced by a second one: (revoked, current).</summary>
    private static async Task<(LedgerKeyPair Revoked, LedgerKeyPair Current)> PatientWithRevokedKey(LedgerKit kit)
    {
        var first = await kit.Patient(Mpi);
        var second = LedgerKeyPair.Create();
        await kit.MustCommit(kit.Tx.KeyAdd(Mpi, second.PublicJwk).SignWith(first).SignWith(second));
        await kit.MustCommit(kit.Tx.KeyRevoke(Mpi, first.Id).SignWith(second));
        return (first, second);
    }

    [Fact]
    public async Task GrantIssue_SignedByRevokedKey_IsRefusedRevokedKey()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var (revoked, _) = await PatientWithRevokedKey(kit);

        var grant = kit.Tx.GrantIssue(Mpi, clinic.Id, ["all"], "treatment", kit.Now, kit.Now + 86_400_000).SignWith(revoked);

        await kit.MustRefuse(grant, LedgerError.RevokedKey);
    }

    [Fact]
    public async Task GrantRevoke_SignedByRevokedKey_IsRefusedRevokedKey()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var first = await kit.Patient(Mpi);
        var grant = await kit.MustCommit(kit.Tx.GrantIssue(Mpi, clinic.Id, ["all"], "treatment", kit.Now, kit.Now + 86_400_000).SignWith(first));
        var second = LedgerKeyPair.Create();
        await kit.MustCommit(kit.Tx.KeyAdd(Mpi, second.PublicJwk).SignWith(first).SignWith(second));
        await kit.MustCommit(kit.Tx.KeyRevoke(Mpi, first.Id).SignWith(second));

        await kit.MustRefuse(kit.Tx.GrantRevoke(Mpi, grant.Receipt!.TransactionId).SignWith(first), LedgerError.RevokedKey);
    }

    [Fact]
    public async Task KeyAdd_VouchedForByRevokedKey_IsRefusedRevokedKey()
    {
        await using var kit = new LedgerKit();
        var (revoked, _) = await PatientWithRevokedKey(kit);
        var device = LedgerKeyPair.Create();

        await kit.MustRefuse(kit.Tx.KeyAdd(Mpi, device.PublicJwk).SignWith(revoked).SignWith(device), LedgerError.RevokedKey);
    }

    [Fact]
    public async Task RecordAnchor_CoSignedByRevokedKey_IsRefusedRevokedKey()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var (revoked, _) = await PatientWithRevokedKey(kit);

        await kit.MustRefuse(kit.Anchor(lab, revoked, Mpi, "lab-1"), LedgerError.RevokedKey);
    }

    [Fact]
    public async Task KeyRevoke_SignedByRevokedKey_IsRefusedRevokedKey()
    {
        await using var kit = new LedgerKit();
        var (revoked, current) = await PatientWithRevokedKey(kit);
        var third = LedgerKeyPair.Create();
        await kit.MustCommit(kit.Tx.KeyAdd(Mpi, third.PublicJwk).SignWith(current).SignWith(third));

        await kit.MustRefuse(kit.Tx.KeyRevoke(Mpi, current.Id).SignWith(revoked), LedgerError.RevokedKey);
    }

    [Fact]
    public async Task GrantIssue_SignedByKeyReplacedInRecovery_IsRefusedRevokedKey()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var lost = await kit.Patient(Mpi);
        var replacement = LedgerKeyPair.Create();
        await kit.MustCommit(kit.Tx.KeyRecover(Mpi, replacement.PublicJwk, clinic.Id).SignWith(clinic).SignWith(kit.Admin));

        var grant = kit.Tx.GrantIssue(Mpi, clinic.Id, ["all"], "treatment", kit.Now, kit.Now + 86_400_000).SignWith(lost);

        await kit.MustRefuse(grant, LedgerError.RevokedKey);
    }

    [Fact]
    public async Task KeyRevoke_OfLastActiveKey_IsRefusedLastKey()
    {
        await using var kit = new LedgerKit();
        var only = await kit.Patient(Mpi);

        await kit.MustRefuse(kit.Tx.KeyRevoke(Mpi, only.Id).SignWith(only), LedgerError.LastKey);
    }

    [Fact]
    public async Task KeyAdd_SignedOnlyByExistingKey_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var existing = await kit.Patient(Mpi);
        var device = LedgerKeyPair.Create();

        await kit.MustRefuse(kit.Tx.KeyAdd(Mpi, device.PublicJwk).SignWith(existing), LedgerError.MissingSignature);
    }

    [Fact]
    public async Task KeyAdd_SignedByTwoExistingKeysButNotTheNewOne_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var first = await kit.Patient(Mpi);
        var second = LedgerKeyPair.Create();
        await kit.MustCommit(kit.Tx.KeyAdd(Mpi, second.PublicJwk).SignWith(first).SignWith(second));
        var device = LedgerKeyPair.Create();

        await kit.MustRefuse(kit.Tx.KeyAdd(Mpi, device.PublicJwk).SignWith(first).SignWith(second), LedgerError.MissingSignature);
    }

    [Fact]
    public async Task KeyRecover_CoSignedByFacilityInsteadOfAdmin_IsRefusedSignerNotAuthorized()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var other = await kit.Facility(NodeStatus.Approved);
        await kit.Patient(Mpi);
        var replacement = LedgerKeyPair.Create();

        await kit.MustRefuse(kit.Tx.KeyRecover(Mpi, replacement.PublicJwk, clinic.Id).SignWith(clinic).SignWith(other), LedgerError.SignerNotAuthorized);
    }
}
