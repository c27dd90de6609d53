using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>Only approved facilities act on the ledger, and only consortium admins decide who is approved.</summary>
public sealed class FacilityRulesTests
{
    [Theory]
    [InlineData(NodeStatus.Pending)]
    [InlineData(NodeStatus.Rejected)]
    [InlineData(NodeStatus.Revoked)]
    public async Task RecordAnchor_ByUnapprovedFacility_IsRefusedNodeNotApproved(NodeStatus status)
    {
        await using var kit = new LedgerKit();
        var facility = await kit.Facility(status);
        var patient = await kit.Patient("MPI-0001");

        await kit.MustRefuse(kit.Anchor(facility, patient, "MPI-0001", "visit-1"), LedgerError.NodeNotApproved);
    }

    [Theory]
    [InlineData(NodeStatus.Pending)]
    [InlineData(NodeStatus.Rejected)]
    [InlineData(NodeStatus.Revoked)]
    public async Task AccessLog_ByUnapprovedFacility_IsRefusedNodeNotApproved(NodeStatus status)
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient("MPI-0001");
        await kit.MustCommit(kit.Anchor(lab, patient, "MPI-0001", "lab-1"));
        var facility = await kit.Facility(status);

        var access = kit.Tx.AccessLog(facility.Id, "dr-a", "MPI-0001", [$"{lab.Id}/lab-1"], null, LedgerKit.BreakGlass(), "emergency").SignWith(facility);

        await kit.MustRefuse(access, LedgerError.NodeNotApproved);
    }

    [Fact]
    public async Task NodeApprove_SignedByApprovedFacilityNotAdmin_IsRefusedSignerNotAuthorized()
    {
        await using var kit = new LedgerKit();
        var facility = await kit.Facility(NodeStatus.Approved);
        var applicant = await kit.Facility(NodeStatus.Pending);

        await kit.MustRefuse(kit.Tx.NodeApprove(applicant.Id).SignWith(facility), LedgerError.SignerNotAuthorized);
    }

    [Theory]
    [InlineData(NodeStatus.Approved)]
    [InlineData(NodeStatus.Rejected)]
    [InlineData(NodeStatus.Revoked)]
    public async Task NodeApprove_OfNodeThatIsNotPending_IsRefusedNodeNotPending(NodeStatus status)
    {
        await using var kit = new LedgerKit();
        var node = await kit.Facility(status);

        await kit.MustRefuse(kit.Tx.NodeApprove(node.Id).SignWith(kit.Admin), LedgerError.NodeNotPending);
    }

    [Fact]
    public async Task NodeRevoke_OfPendingNode_IsRefusedNodeNotApproved()
    {
        await using var kit = new LedgerKit();
        var node = await kit.Facility(NodeStatus.Pending);

        await kit.MustRefuse(kit.Tx.NodeRevoke(node.Id, NodeDecisionReasons.LeftNetwork).SignWith(kit.Admin), LedgerError.NodeNotApproved);
    }
}
