using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Verification;
using Microsoft.Extensions.Configuration;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Operator;

/// <summary>
/// The app's executable doubles as the operator tool: <c>ledger verify [--data DIR]</c>, <c>receipt verify FILE</c>,
/// <c>node status</c>, <c>backup [--data DIR] --out FILE</c> and <c>restore --from FILE --data DIR [--force]</c>.
/// Each prints one line and exits 0 (good) or 1 (bad); 2 is a usage error. <c>consortium up</c> runs until stopped
/// (<see cref="ConsortiumUp"/>).
/// </summary>
public static class OperatorCommands
{
    public static bool IsCommand(string[] args) => args is ["ledger", ..] or ["receipt", ..] or ["node", ..] or ["backup", ..] or ["restore", ..] or ["consortium", ..];

    public static int Run(string[] args, TextWriter? output = null)
    {
        var stdout = output ?? Console.Out;
        switch (args)
        {
            case ["ledger", "verify", .. var rest]:
                return VerifyLedger(DataFolder(rest), stdout);
            case ["receipt", "verify", var file]:
                return VerifyReceipt(file, stdout);
            case ["node", "status", "--url", var url]:
                return HealthPortal.Features.Consortium.NodeStatusCommand.RunUrl(url, stdout);
            case ["node", "status", .. var rest]:
                return HealthPortal.Features.Consortium.NodeStatusCommand.Run(Path.Combine(DataFolder(rest), HealthPortal.Features.Ledger.LedgerHost.LedgerFileName), stdout);
            case ["backup", .. var rest] when Option(rest, "--out") is { } archive:
                return Report(NodeBackup.Backup(DataFolder(rest), archive), stdout);
            case ["consortium", "up", .. var rest]:
                return ConsortiumUp.Run(rest, stdout, Configuration());
            case ["consortium", "key", .. var rest]:
                return ConsortiumSetup.Key(rest, stdout, Configuration());
            case ["consortium", "genesis", .. var rest]:
                return ConsortiumSetup.Genesis(rest, stdout, Configuration());
            case ["restore", .. var rest] when Option(rest, "--from") is { } archive && Option(rest, "--data") is { } target:
                return Report(NodeBackup.Restore(archive, target, force: rest.Contains("--force")), stdout);
            default:
                stdout.WriteLine("usage: ledger verify [--data DIR] | receipt verify FILE | node status [--data DIR | --url URL] | backup [--data DIR] --out FILE | restore --from FILE --data DIR [--force] | consortium up [--nodes 1-5] [--data DIR] | consortium key --data DIR --name NAME --kind KIND --endpoint URL | consortium genesis --data DIR --organisations FILE --out FILE");
                return 2;
        }
    }

    private static int VerifyLedger(string dataFolder, TextWriter output)
    {
        var path = Path.Combine(dataFolder, HealthPortal.Features.Ledger.LedgerHost.LedgerFileName);
        if (!File.Exists(path))
        {
            output.WriteLine($"BAD height=0 reason=no ledger at {path}");
            return 1;
        }
        var report = ChainVerifier.VerifyFull(path);
        output.WriteLine(report.ToLine());
        return report.IsValid ? 0 : 1;
    }

    private static int VerifyReceipt(string file, TextWriter output)
    {
        if (!File.Exists(file))
        {
            output.WriteLine($"BAD receipt file not found: {file}");
            return 1;
        }
        var json = File.ReadAllText(file);
        var result = ReceiptVerifier.Verify(json);
        if (!result.IsValid)
        {
            output.WriteLine($"BAD {result.Error}: {result.Message}");
            return 1;
        }
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        output.WriteLine($"OK receipt tx={node["txId"]} height={node["height"]} index={node["index"]}");
        return 0;
    }

    private static int Report(Result<string, BackupError> result, TextWriter output)
    {
        output.WriteLine(NodeBackupOutcome.Line(result));
        return result.IsOk ? 0 : 1;
    }

    private static string? Option(string[] rest, string name)
    {
        for (var i = 0; i < rest.Length - 1; i++)
            if (rest[i] == name) return rest[i + 1];
        return null;
    }

    /// <summary>--data DIR wins; otherwise the deployment file's data folder, resolved as the web host resolves it.</summary>
    private static string DataFolder(string[] rest)
    {
        for (var i = 0; i < rest.Length - 1; i++)
            if (rest[i] == "--data") return rest[i + 1];
        var config = Configuration();
        return (config.GetSection(HealthPortal.Data.PortalDataOptions.Section).Get<HealthPortal.Data.PortalDataOptions>() ?? new()).DataFolderFullPath;
    }

    /// <summary>The deployment settings as the web host reads them (the shipped file, the working folder's, the environment).</summary>
    private static IConfiguration Configuration() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();
}
