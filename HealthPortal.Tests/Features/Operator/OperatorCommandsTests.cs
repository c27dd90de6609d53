using HealthPortal.Features.Operator;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Operator;

public sealed class OperatorCommandsTests
{
    private static async Task<(LedgerKit Kit, string ReceiptFile)> ChainWithReceipt()
    {
        var kit = new LedgerKit();
        await kit.Patient("MPI-0007");
        var grantee = await kit.ApprovedFacility();
        var patient = await kit.Patient("MPI-0008");
        var now = kit.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var grant = await kit.MustCommit(kit.Tx.GrantIssue("MPI-0008", grantee.Id, ["lab"], "treatment", now, now + 86_400_000).SignWith(patient));
        var file = Path.Combine(kit.Folder, "receipt.json");
        await File.WriteAllTextAsync(file, grant.Receipt!.ToJsonString());
        return (kit, file);
    }

    [Fact]
    public async Task ReceiptVerify_GoodReceipt_PrintsOkAndExitsZero()
    {
        var (kit, file) = await ChainWithReceipt();
        await using var _ = kit;
        var output = new StringWriter();

        Assert.Equal(0, OperatorCommands.Run(["receipt", "verify", file], output));
        Assert.StartsWith("OK receipt tx=", output.ToString());
    }

    [Fact]
    public async Task ReceiptVerify_EditedReceipt_PrintsBadAndExitsOne()
    {
        var (kit, file) = await ChainWithReceipt();
        await using var _ = kit;
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("\"treatment\"", "\"insurance\""));
        var output = new StringWriter();

        Assert.Equal(1, OperatorCommands.Run(["receipt", "verify", file], output));
        Assert.StartsWith("BAD", output.ToString());
    }

    [Fact]
    public async Task LedgerVerify_HealthyStore_PrintsOkLine()
    {
        var (kit, _) = await ChainWithReceipt();
        await using var __ = kit;
        var height = kit.Engine.Height;
        var count = kit.Engine.TransactionCount;
        await kit.Close();
        var output = new StringWriter();

        Assert.Equal(0, OperatorCommands.Run(["ledger", "verify", "--data", kit.Folder], output));
        Assert.Equal($"OK height={height} transactions={count}", output.ToString().Trim());
    }

    [Fact]
    public async Task LedgerVerify_DamagedStateRow_NamesTheHeightAndExitsOne()
    {
        var (kit, _) = await ChainWithReceipt();
        await using var __ = kit;
        await kit.Close();
        var grantHeight = StoreFile.Long(kit.Options.DatabasePath, "SELECT height FROM grants LIMIT 1");
        StoreFile.ExecuteRaw(kit.Options.DatabasePath, "UPDATE grants SET purpose = 'research'");
        var output = new StringWriter();

        Assert.Equal(1, OperatorCommands.Run(["ledger", "verify", "--data", kit.Folder], output));
        Assert.StartsWith($"BAD height={grantHeight} ", output.ToString());
    }

    [Fact]
    public void UnknownCommand_PrintsUsageAndExitsTwo()
    {
        var output = new StringWriter();
        Assert.Equal(2, OperatorCommands.Run(["ledger", "frobnicate"], output));
        Assert.Contains("usage", output.ToString());
    }
}
