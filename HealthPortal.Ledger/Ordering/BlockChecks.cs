using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Ordering;

/// <summary>What a block check found wrong; each caller says it in its own words (a node's head, a chain's replay).</summary>
internal enum BlockFault
{
    None,
    WrongChain,
    BrokenPrevious,
    BrokenHistory,
    GenesisOutsideBlockZero,
    ProposerNotApproved,
    BadProposerSignature,
    MerkleRootMismatch,
    SignatureRootMismatch,
    InvalidTransaction,
    RuleViolation,
}

/// <summary>
/// The checks a block must pass whether it arrives from another node (<see cref="BlockApplier"/>) or is replayed from a
/// store (<c>ChainVerifier</c>): one implementation, so the two can never disagree about what a valid block is.
/// </summary>
internal static class BlockChecks
{
    /// <summary>The header names this chain, links to the block before and to the history of all earlier headers.</summary>
    public static BlockFault Link(BlockHeader header, string chainId, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> historyRoot)
    {
        if (header.Chain != chainId) return BlockFault.WrongChain;
        if (!header.Previous.AsSpan().SequenceEqual(previousHash)) return BlockFault.BrokenPrevious;
        if (!header.History.AsSpan().SequenceEqual(historyRoot)) return BlockFault.BrokenHistory;
        return BlockFault.None;
    }

    /// <summary>The proposer is an approved facility in <paramref name="state"/> and signed exactly these header bytes.</summary>
    public static BlockFault Proposer(BlockHeader header, ReadOnlySpan<byte> headerBytes, ReadOnlySpan<byte> signature, LedgerState state, PublicKeyCache keys)
    {
        var proposer = state.Node(header.Proposer);
        if (proposer is null || proposer.Status != NodeStatus.Approved) return BlockFault.ProposerNotApproved;
        return keys.Verify(proposer.Key, headerBytes, signature) ? BlockFault.None : BlockFault.BadProposerSignature;
    }

    /// <summary>The header's Merkle root of the transaction ids (<paramref name="tree"/>) and its root of their stored signatures.</summary>
    public static BlockFault Roots(BlockHeader header, BlockMerkleTree tree, IEnumerable<string> storedSignatures)
    {
        if (!tree.Root.AsSpan().SequenceEqual(header.TxRoot)) return BlockFault.MerkleRootMismatch;
        return BlockHeader.SignatureRoot(storedSignatures).AsSpan().SequenceEqual(header.SigRoot) ? BlockFault.None : BlockFault.SignatureRootMismatch;
    }

    /// <summary>
    /// One transaction of a block (its place in <paramref name="block"/>): its form and signatures (clock skew is judged against the block's
    /// time by the rules, not against this node's clock now), then its rules against the block's state overlay.
    /// On failure the problem reads "transaction i: …" and carries the ledger's error code.
    /// </summary>
    public static (ParsedTransaction? Parsed, BlockFault Fault, LedgerError Error, string? Problem) Transaction(
        StatelessValidator validator, TransactionRules rules, Transaction tx, StateOverlay overlay, BlockContext block)
        => Transaction(validator.Validate(tx, checkClock: false), rules, overlay, block);

    /// <summary>As above, with the form and signatures already checked (<c>Validate(tx, checkClock: false)</c>), e.g. for a whole block at once.</summary>
    public static (ParsedTransaction? Parsed, BlockFault Fault, LedgerError Error, string? Problem) Transaction(
        Result<ParsedTransaction> stateless, TransactionRules rules, StateOverlay overlay, BlockContext block)
    {
        if (!stateless.IsSuccess) return (null, BlockFault.InvalidTransaction, stateless.Error, $"transaction {block.Index}: {stateless.Error}: {stateless.Message}");
        var verdict = rules.Apply(stateless.Value!, overlay, block);
        if (!verdict.IsValid) return (null, BlockFault.RuleViolation, verdict.Error, $"transaction {block.Index} breaks a rule: {verdict}");
        return (stateless.Value!, BlockFault.None, LedgerError.None, null);
    }
}
