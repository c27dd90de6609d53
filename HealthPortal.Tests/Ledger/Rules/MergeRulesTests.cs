using System.Text;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// patient.merge and patient.split (docs/mpi.md, "Merge and split"): who must sign, what the reader resolves after a
/// merge, what is refused under a retired number, what a key of the retired number may do with and without its own
/// signature on the merge, and what a split gives back.
/// </summary>
public sealed class MergeRulesTests
{
    private const string Retired = "MPI-0002";
    private const string Survivor = "MPI-0001";

    private sealed record Pair(LedgerKeyPair Steward, LedgerKeyPair Lab, LedgerKeyPair Survivor, LedgerKeyPair Retired);

    private static async Task<Pair> TwoNumbers(LedgerKit kit)
    {
        var steward = await kit.Facility(NodeStatus.Approved);
        var lab = await kit.Facility(NodeStatus.Approved, NodeKind.Laboratory);
        var survivor = await kit.Patient(Survivor);
        var retired = await kit.Patient(Retired);
        await kit.MustCommit(kit.Anchor(lab, survivor, Survivor, "lab-1"));
        await kit.MustCommit(kit.Anchor(lab, retired, Retired, "lab-2"));
        return new Pair(steward, lab, survivor, retired);
    }

    private static Transaction Merge(LedgerKit kit, Pair p, string reason = MergeReasons.DuplicateRegistration)
        => kit.Tx.PatientMerge(Retired, Survivor, p.Steward.Id, reason).SignWith(p.Steward).SignWith(p.Survivor);

    [Fact]
    public async Task Merge_SignedByStewardAndSurvivor_ResolvesTheRetiredNumberAndJoinsTheTimeline()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);

        var result = await kit.MustCommit(Merge(kit, p));

        var reader = kit.Engine.Reader;
        var merge = reader.StandingMerge(Retired);
        Assert.NotNull(merge);
        Assert.Equal((Survivor, p.Steward.Id, MergeReasons.DuplicateRegistration, false, result.Receipt!.TransactionId),
            (merge.Surviving, merge.Facility, merge.Reason, merge.KeysCarried, merge.Id));
        Assert.Equal(Survivor, reader.Survivor(Retired));
        Assert.Equal(Survivor, reader.Survivor(Survivor));
        Assert.Equal([Survivor, Retired], reader.NumbersOf(Retired));
        Assert.Equal(["lab-1", "lab-2"], reader.RecordsOfPerson(Survivor).Select(r => r.RecordId));
        // The retired number's holder did not sign (no keys carried): they read only what is under their own number.
        Assert.False(reader.KeysCarriedTo(Retired, Survivor));
        Assert.Equal([Retired], reader.NumbersReadBy(Retired));
        Assert.Equal(["lab-2"], reader.RecordsOfPerson(Retired).Select(r => r.RecordId));
        // The anchors keep the number they were made under: the ledger's old bytes and rows do not change.
        Assert.Equal(Retired, reader.Record(p.Lab.Id, "lab-2")!.Mpi);
        Assert.Single(reader.MergesOf(Survivor));
    }

    [Fact]
    public async Task Merge_WithoutThePatientsSignature_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);

        await kit.MustRefuse(kit.Tx.PatientMerge(Retired, Survivor, p.Steward.Id, MergeReasons.SamePerson).SignWith(p.Steward), LedgerError.MissingSignature);
        // The retired number's key alone is not the survivor's consent.
        await kit.MustRefuse(kit.Tx.PatientMerge(Retired, Survivor, p.Steward.Id, MergeReasons.SamePerson).SignWith(p.Steward).SignWith(p.Retired), LedgerError.MissingSignature);
        // Nor is the patient's signature without the steward's facility.
        await kit.MustRefuse(kit.Tx.PatientMerge(Retired, Survivor, p.Steward.Id, MergeReasons.SamePerson).SignWith(p.Survivor).SignWith(p.Retired), LedgerError.MissingSignature);
        Assert.Null(kit.Engine.Reader.StandingMerge(Retired));
    }

    [Fact]
    public async Task Merge_ThirdSignatureNotOfTheRetiredNumber_IsRefused()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        var stranger = await kit.Patient("MPI-0003");

        await kit.MustRefuse(Merge(kit, p).SignWith(stranger), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task NewAnchorGrantOrKeyUnderTheRetiredNumber_IsRefusedMpiRetired()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        await kit.MustCommit(Merge(kit, p));

        var refused = await kit.MustRefuse(kit.Anchor(p.Lab, p.Survivor, Retired, "lab-3"), LedgerError.MpiRetired);
        Assert.Contains(Survivor, refused.Message);
        var now = kit.Now;
        await kit.MustRefuse(kit.Tx.GrantIssue(Retired, p.Lab.Id, ["lab"], Purposes.Treatment, now, now + 3_600_000).SignWith(p.Retired), LedgerError.MpiRetired);
        var device = LedgerKeyPair.Create();
        await kit.MustRefuse(kit.Tx.KeyAdd(Retired, device.PublicJwk).SignWith(p.Retired).SignWith(device), LedgerError.MpiRetired);
        // Under the surviving number the same anchor commits.
        await kit.MustCommit(kit.Anchor(p.Lab, p.Survivor, Survivor, "lab-3"));
    }

    [Fact]
    public async Task MergingAgain_OrIntoARetiredNumber_IsRefusedMpiRetired()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        var third = await kit.Patient("MPI-0003");
        await kit.MustCommit(Merge(kit, p));

        await kit.MustRefuse(kit.Tx.PatientMerge(Retired, "MPI-0003", p.Steward.Id, MergeReasons.SamePerson).SignWith(p.Steward).SignWith(third), LedgerError.MpiRetired);
        await kit.MustRefuse(kit.Tx.PatientMerge("MPI-0003", Retired, p.Steward.Id, MergeReasons.SamePerson).SignWith(p.Steward).SignWith(p.Retired), LedgerError.MpiRetired);
    }

    [Fact]
    public async Task WithoutTheRetiredKeysSignature_ItsKeysSignNothingAndItsGrantsEnd()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        var now = kit.Now;
        var grant = await kit.MustCommit(kit.Tx.GrantIssue(Retired, p.Steward.Id, ["lab"], Purposes.Treatment, now - 1000, now + 3_600_000).SignWith(p.Retired));
        await kit.MustCommit(Merge(kit, p));

        // Whoever holds the retired number's key was not shown to be the patient: it does not co-sign for the survivor.
        await kit.MustRefuse(kit.Anchor(p.Lab, p.Retired, Survivor, "lab-3"), LedgerError.SignerNotAuthorized);
        // The retired number's grant does not open the merged timeline.
        await kit.MustRefuse(kit.Tx.AccessLog(p.Steward.Id, "dr-a", Survivor, [$"{p.Lab.Id}/lab-2"], grant.Receipt!.TransactionId, null, Purposes.Treatment)
            .SignWith(p.Steward), LedgerError.UnknownGrant);
        // Taking things back under the retired number stays possible.
        await kit.MustCommit(kit.Tx.GrantRevoke(Retired, grant.Receipt!.TransactionId).SignWith(p.Retired));
    }

    [Fact]
    public async Task WithTheRetiredKeysSignature_ItsKeysAndGrantsCarryOver()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        var now = kit.Now;
        var grant = await kit.MustCommit(kit.Tx.GrantIssue(Retired, p.Steward.Id, ["lab"], Purposes.Treatment, now - 1000, now + 3_600_000).SignWith(p.Retired));

        await kit.MustCommit(Merge(kit, p).SignWith(p.Retired));

        Assert.True(kit.Engine.Reader.StandingMerge(Retired)!.KeysCarried);
        await kit.MustCommit(kit.Anchor(p.Lab, p.Retired, Survivor, "lab-3"));
        // The carried grant covers the records of both numbers, logged under the surviving number.
        await kit.MustCommit(kit.Tx.AccessLog(p.Steward.Id, "dr-a", Survivor, [$"{p.Lab.Id}/lab-1", $"{p.Lab.Id}/lab-2"], grant.Receipt!.TransactionId, null, Purposes.Treatment)
            .SignWith(p.Steward));
        // Access logs name the surviving number: the retired one is refused.
        await kit.MustRefuse(kit.Tx.AccessLog(p.Steward.Id, "dr-a", Retired, [$"{p.Lab.Id}/lab-2"], grant.Receipt!.TransactionId, null, Purposes.Treatment)
            .SignWith(p.Steward), LedgerError.MpiRetired);
    }

    [Fact]
    public async Task Split_ByTheMergingFacility_GivesTheNumberBackAndKeepsLaterAnchorsWithTheSurvivor()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        await kit.MustCommit(Merge(kit, p).SignWith(p.Retired));
        await kit.MustCommit(kit.Anchor(p.Lab, p.Retired, Survivor, "lab-3"));

        var split = await kit.MustCommit(kit.Tx.PatientSplit(Retired, Survivor, p.Steward.Id, SplitReasons.DifferentPeople).SignWith(p.Steward));

        var reader = kit.Engine.Reader;
        Assert.Null(reader.StandingMerge(Retired));
        Assert.Equal(Retired, reader.Survivor(Retired));
        var history = Assert.Single(reader.MergesOf(Retired));
        Assert.Equal((SplitReasons.DifferentPeople, split.Receipt!.TransactionId), (history.SplitReason, history.SplitTx));
        Assert.Equal(["lab-2"], reader.RecordsOfPerson(Retired).Select(r => r.RecordId));
        // A record anchored during the merge was anchored under the survivor and stays there (docs/mpi.md).
        Assert.Equal(["lab-1", "lab-3"], reader.RecordsOfPerson(Survivor).Select(r => r.RecordId));
        // The retired number takes anchors again; its key signs for itself only.
        await kit.MustCommit(kit.Anchor(p.Lab, p.Retired, Retired, "lab-4"));
        await kit.MustRefuse(kit.Anchor(p.Lab, p.Retired, Survivor, "lab-5"), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task Split_ByAnotherFacility_OrOfNoMerge_IsRefused()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);

        await kit.MustRefuse(kit.Tx.PatientSplit(Retired, Survivor, p.Steward.Id, SplitReasons.EnteredInError).SignWith(p.Steward), LedgerError.NotMerged);
        await kit.MustCommit(Merge(kit, p));
        await kit.MustRefuse(kit.Tx.PatientSplit(Retired, Survivor, p.Lab.Id, SplitReasons.EnteredInError).SignWith(p.Lab), LedgerError.SignerNotAuthorized);
        await kit.MustRefuse(kit.Tx.PatientSplit(Retired, Survivor, p.Lab.Id, SplitReasons.EnteredInError).SignWith(p.Steward), LedgerError.SignerNotAuthorized);
        await kit.MustRefuse(kit.Tx.PatientSplit(Survivor, Retired, p.Steward.Id, SplitReasons.EnteredInError).SignWith(p.Steward), LedgerError.NotMerged);
        Assert.NotNull(kit.Engine.Reader.StandingMerge(Retired));
    }

    [Fact]
    public async Task MergeAfterSplit_CommitsAgain()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        await kit.MustCommit(Merge(kit, p));
        await kit.MustCommit(kit.Tx.PatientSplit(Retired, Survivor, p.Steward.Id, SplitReasons.EnteredInError).SignWith(p.Steward));

        await kit.MustCommit(Merge(kit, p, MergeReasons.SamePerson));

        Assert.Equal(2, kit.Engine.Reader.MergesOf(Retired).Count);
        Assert.Equal(MergeReasons.SamePerson, kit.Engine.Reader.StandingMerge(Retired)!.Reason);
    }

    [Theory]
    [InlineData("reason", "Aung Kyaw Moe is the same person", LedgerError.UnknownCode)]
    [InlineData("surviving", "MPI-0002", LedgerError.InvalidField)]
    [InlineData("name", "Aung Kyaw Moe", LedgerError.InvalidField)]
    public void Body_HoldsOnlyTwoNumbersAFacilityAndACode(string member, string value, LedgerError expected)
    {
        var tx = new TransactionFactory(TimeProvider.System).PatientMerge(Retired, Survivor, new string('F', 43), MergeReasons.SamePerson);
        tx.Body[member] = value;

        Assert.Equal(expected, PayloadParser.Parse(tx).Error);
    }

    [Fact]
    public void SplitBody_RefusesAWordedReason()
    {
        var tx = new TransactionFactory(TimeProvider.System).PatientSplit(Retired, Survivor, new string('F', 43), "they are twins, Aung and Aye");

        Assert.Equal(LedgerError.UnknownCode, PayloadParser.Parse(tx).Error);
        var ok = new TransactionFactory(TimeProvider.System).PatientSplit(Retired, Survivor, new string('F', 43), SplitReasons.DifferentPeople);
        Assert.IsType<PatientSplitPayload>(PayloadParser.Parse(ok).Value);
        Assert.DoesNotContain("Aung", Encoding.UTF8.GetString(ok.SigningBytes));
    }

    [Fact]
    public async Task Chain_WithMergesAndSplits_ReplaysToTheSameStateAndReopens()
    {
        await using var kit = new LedgerKit();
        var p = await TwoNumbers(kit);
        await kit.MustCommit(Merge(kit, p).SignWith(p.Retired));
        await kit.MustCommit(kit.Anchor(p.Lab, p.Retired, Survivor, "lab-3"));
        await kit.MustCommit(kit.Tx.PatientSplit(Retired, Survivor, p.Steward.Id, SplitReasons.DifferentPeople).SignWith(p.Steward));
        await kit.MustCommit(Merge(kit, p, MergeReasons.SamePerson));
        await kit.Restart();
        Assert.Equal(Survivor, kit.Engine.Reader.Survivor(Retired));
        Assert.Equal(2, kit.Engine.Reader.MergesOf(Survivor).Count);
        await kit.Close();

        var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);

        Assert.True(report.IsValid, report.ToLine());
    }
}
