using HealthPortal.Bench;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Tests.Ledger.Ordering;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// Raft ordering passes the same conformance suite as the solo sequencer. Here each engine is a one-member Raft
/// cluster (it elects itself): the whole path runs — leader batching, sealing, one log entry per block, the state
/// machine re-verifying and applying it, receipts after the local commit.
/// </summary>
public sealed class RaftConformanceTests : OrderingConformanceTests
{
    protected override OrderingFactory Ordering(SequencerOptions sequencer) => context =>
    {
        var self = new RaftMember(RaftTestCluster.FreeLoopback(), RaftTestCluster.FreeLoopback());
        return new RaftOrdering(new RaftOrderingOptions
        {
            // The transport identity of a lone member is never presented to a peer; the engine seals with its own key.
            NodeKey = LedgerKeyPair.Create(),
            Self = self,
            Members = [self],
            DataFolder = Directory.CreateTempSubdirectory("hp-raft-solo-").FullName,
            Blocks = sequencer,
            LoggerFactory = FileLoggerFactory.FromEnvironment("solo"),
        }, context);
    };
}
