using HealthPortal.Ledger.Blocks;

namespace HealthPortal.Ledger.Storage;

/// <summary>A block as stored: its parsed header, the exact canonical header bytes, the proposer's signature and hash.</summary>
public sealed record StoredBlock(BlockHeader Header, byte[] HeaderBytes, byte[] Signature, byte[] Hash, long TxFirst, int TxCount);
