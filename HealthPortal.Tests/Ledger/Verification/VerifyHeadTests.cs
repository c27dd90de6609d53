using HealthPortal.Ledger;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Verification;

/// <summary>The start-up check refuses a store whose head block is damaged, with <see cref="LedgerCorruptException"/>.</summary>
public sealed class VerifyHeadTests
{
    private static async Task<LedgerKit> ClosedChain()
    {
        var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var patient = await kit.Patient("MPI-0001");
        await kit.MustCommit(kit.Anchor(lab, patient, "MPI-0001", "lab-1"));
        await kit.Close();
        return kit;
    }

    private static void AssertOpenRefused(LedgerKit kit, string damageSql)
    {
        Assert.Equal(1, StoreFile.ExecuteRaw(kit.Options.DatabasePath, damageSql));
        var head = StoreFile.Long(kit.Options.DatabasePath, "SELECT MAX(height) FROM blocks");

        var e = Assert.Throws<LedgerCorruptException>(() => LedgerEngine.Open(kit.Options, kit.Genesis, kit.Sealer));

        Assert.Equal(head, e.Report.FirstBadHeight);
    }

    [Fact]
    public async Task Open_HeadTxCountNegative_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "UPDATE blocks SET tx_count = -1 WHERE height = (SELECT MAX(height) FROM blocks)");
    }

    [Fact]
    public async Task Open_HeadTxCountBeyondInt32_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "UPDATE blocks SET tx_count = tx_count + 4294967296 WHERE height = (SELECT MAX(height) FROM blocks)");
    }

    [Fact]
    public async Task Open_HeadTxFirstShifted_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "UPDATE blocks SET tx_first = tx_first - 1 WHERE height = (SELECT MAX(height) FROM blocks)");
    }

    [Fact]
    public async Task Open_HeadTransactionMissing_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "DELETE FROM txs WHERE seq = (SELECT MAX(seq) FROM txs)");
    }

    [Fact]
    public async Task Open_TransactionBeyondHead_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "INSERT INTO txs SELECT seq + 1, height, idx + 1, id, type, body, signatures FROM txs WHERE seq = (SELECT MAX(seq) FROM txs)");
    }

    [Fact]
    public async Task Open_HeadSignatureDamaged_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "UPDATE blocks SET signature = zeroblob(64) WHERE height = (SELECT MAX(height) FROM blocks)");
    }

    [Fact]
    public async Task Open_HeadHeaderBytesNotAHeader_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "UPDATE blocks SET header = CAST('{}' AS BLOB) WHERE height = (SELECT MAX(height) FROM blocks)");
    }

    [Fact]
    public async Task Open_HeadRowHoldingThePreviousHeader_IsRefusedAsCorrupt()
    {
        await using var kit = await ClosedChain();
        AssertOpenRefused(kit, "UPDATE blocks SET header = (SELECT header FROM blocks b WHERE b.height = blocks.height - 1) WHERE height = (SELECT MAX(height) FROM blocks)");
    }
}
