using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Support;

/// <summary>
/// A small chain holding every transaction type, spread over many blocks, several of them with more than one
/// transaction, and rows in every derived-state table written at different heights.
/// </summary>
public static class SampleChain
{
    public static async Task Build(LedgerKit kit)
    {
        var tx = kit.Tx;
        var lab = await kit.Facility(NodeStatus.Approved, NodeKind.Laboratory);
        var clinic = await kit.Facility(NodeStatus.Approved, NodeKind.Clinic);
        await kit.Facility(NodeStatus.Rejected);
        var leaving = await kit.Facility(NodeStatus.Approved, NodeKind.Hospital);
        var pending = LedgerKeyPair.Create();

        var patients = new List<LedgerKeyPair>();
        for (var i = 1; i <= 3; i++) patients.Add(await kit.Patient($"MPI-000{i}"));

        // Blocks with several transactions each (submitted together, sealed together).
        await CommitTogether(kit,
        [
            kit.Anchor(lab, patients[0], "MPI-0001", "lab-1", "lab"),
            kit.Anchor(lab, patients[0], "MPI-0001", "lab-2", "lab"),
            kit.Anchor(clinic, patients[0], "MPI-0001", "visit-1", "visit"),
            kit.Anchor(lab, patients[1], "MPI-0002", "lab-3", "lab"),
            tx.NodeRegister(pending.PublicJwk, NodeKind.Clinic, "Pending Clinic", "https://pending.example", kit.Genesis.Parameters.FacilityPowBits).SignWith(pending),
        ]);
        var now = kit.Now;
        var grant = await kit.MustCommit(tx.GrantIssue("MPI-0001", clinic.Id, ["lab"], "treatment", now - 1000, now + 86_400_000).SignWith(patients[0]));
        var grantId = grant.Receipt!.TransactionId;
        await CommitTogether(kit,
        [
            tx.AccessLog(clinic.Id, "dr-a", "MPI-0001", [$"{lab.Id}/lab-1", $"{lab.Id}/lab-2"], grantId, null, "treatment").SignWith(clinic),
            tx.AccessLog(lab.Id, "tech-b", "MPI-0002", [$"{lab.Id}/lab-3"], null, LedgerKit.BreakGlass(), "emergency").SignWith(lab),
            tx.GrantIssue("MPI-0002", lab.Id, ["all"], Purposes.Referral, now, now + 3_600_000).SignWith(patients[1]),
            kit.Anchor(clinic, patients[2], "MPI-0003", "visit-2", "visit"),
        ]);
        await kit.MustCommit(tx.GrantRevoke("MPI-0001", grantId).SignWith(patients[0]));

        var second = LedgerKeyPair.Create();
        await kit.MustCommit(tx.KeyAdd("MPI-0001", second.PublicJwk).SignWith(patients[0]).SignWith(second));
        await kit.MustCommit(tx.KeyRevoke("MPI-0001", patients[0].Id).SignWith(second));
        var recovered = LedgerKeyPair.Create();
        await kit.MustCommit(tx.KeyRecover("MPI-0002", recovered.PublicJwk, clinic.Id).SignWith(clinic).SignWith(kit.Admin));
        await CommitTogether(kit,
        [
            kit.Anchor(lab, second, "MPI-0001", "lab-4", "lab"),
            // A correction: lab-2 replaced by lab-2-v2 (a row in supersessions).
            tx.RecordAnchor("MPI-0001", lab.Id, "lab-2-v2", "lab", "2026-11-25", LedgerKit.Hash("lab-2-v2"), "Observation/lab-2-v2", $"{lab.Id}/lab-2").SignWith(lab).SignWith(second),
            kit.Anchor(lab, recovered, "MPI-0002", "lab-5", "lab"),
            tx.NodeRevoke(leaving.Id, NodeDecisionReasons.LeftNetwork).SignWith(kit.Admin),
        ]);
        // Consortium admins that are wallets: one added by the genesis admin, a second added by the first (a wallet
        // co-signature), which then approves the pending application and is revoked by the first.
        var firstAdmin = Nethereum.Signer.EthECKey.GenerateKey();
        var secondAdmin = Nethereum.Signer.EthECKey.GenerateKey();
        await kit.AdminWallet(firstAdmin);
        await kit.MustCommit(kit.WalletSigned(kit.WalletSigned(tx.AdminAdd(secondAdmin.GetPublicAddress()), firstAdmin), secondAdmin));
        await kit.MustCommit(kit.WalletSigned(tx.NodeApprove(pending.Id), secondAdmin));
        await kit.MustCommit(kit.WalletSigned(tx.AdminRevoke(secondAdmin.GetPublicAddress()), firstAdmin));
        // A retraction: visit-2, filed under the wrong patient, withdrawn by its facility (a row in retractions; not
        // in the last block, so the tamper tests have a block after it).
        await kit.MustCommit(tx.RecordRetract(clinic.Id, "visit-2", RetractReasons.WrongPatient).SignWith(clinic));
        // Delegations: MPI-0003 makes MPI-0002 a caregiver, who shares and co-signs for them (rows in delegated_acts)
        // until MPI-0003 revokes it; a keyless child MPI-0004 registered by the clinic, with MPI-0001 as guardian.
        var caregiving = await kit.MustCommit(tx.DelegationIssue("MPI-0003", "MPI-0002", [DelegationPowers.View, DelegationPowers.Share, DelegationPowers.Cosign],
            now - 1000, now + 86_400_000, DelegationKinds.Caregiver).SignWith(patients[2]));
        var caregivingId = caregiving.Receipt!.TransactionId;
        await CommitTogether(kit,
        [
            TransactionFactory.OnBehalf(tx.GrantIssue("MPI-0003", lab.Id, ["visit"], Purposes.Treatment, now, now + 3_600_000), caregivingId).SignWith(recovered),
            TransactionFactory.OnBehalf(tx.RecordAnchor("MPI-0003", clinic.Id, "visit-4", "visit", "2026-11-26", LedgerKit.Hash("visit-4"), "Encounter/visit-4"), caregivingId)
                .SignWith(clinic).SignWith(recovered),
            tx.KeylessRegister("MPI-0004", LedgerKit.Hash("child demographics"), clinic.Id).SignWith(clinic),
        ]);
        await kit.MustCommit(tx.DelegationIssue("MPI-0004", "MPI-0001", DelegationPowers.All, now - 1000, now + 86_400_000, DelegationKinds.Guardian, clinic.Id)
            .SignWith(second).SignWith(clinic));
        await kit.MustCommit(tx.DelegationRevoke("MPI-0003", caregivingId).SignWith(patients[2]));
        // A merge and its split (a row in merges): MPI-0005, MPI-0003 registered twice, merged into MPI-0003 with both
        // keys signing (keys carried over), so MPI-0005's key co-signs an anchor under MPI-0003; then split again.
        var duplicate = await kit.Patient("MPI-0005");
        await kit.MustCommit(kit.Anchor(lab, duplicate, "MPI-0005", "lab-6", "lab"));
        await kit.MustCommit(tx.PatientMerge("MPI-0005", "MPI-0003", clinic.Id, MergeReasons.DuplicateRegistration).SignWith(clinic).SignWith(patients[2]).SignWith(duplicate));
        await kit.MustCommit(kit.Anchor(lab, duplicate, "MPI-0003", "lab-7", "lab"));
        await kit.MustCommit(tx.PatientSplit("MPI-0005", "MPI-0003", clinic.Id, SplitReasons.DifferentPeople).SignWith(clinic));
        await kit.MustCommit(kit.Anchor(clinic, patients[2], "MPI-0003", "visit-3", "visit"));
    }

    private static async Task CommitTogether(LedgerKit kit, IReadOnlyList<Transaction> txs)
    {
        var results = await Task.WhenAll(txs.Select(t => kit.Engine.SubmitAsync(t).AsTask()));
        foreach (var r in results) Assert.True(r.IsCommitted, r.ToString());
    }
}
