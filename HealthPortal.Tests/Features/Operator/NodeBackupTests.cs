using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Operator;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Operator;

/// <summary>
/// A demo-seeded portal (records in its EHR stores, anchored) keeps registering patients while the real executable,
/// in a process of its own, takes <c>backup</c> of its data folder; the archive is then restored into a new folder.
/// Done once for the class; each test checks one property of the result.
/// </summary>
public sealed class BackupWhileWritingFixture : IAsyncLifetime
{
    public const int MaxWrites = 2_000;
    public static readonly TimeSpan MaxWriting = TimeSpan.FromSeconds(90);

    public PortalFactory Portal { get; } = new();
    public string Root { get; } = Directory.CreateTempSubdirectory("hp-backup-test-").FullName;
    public string Archive => Path.Combine(Root, "node.zip");
    public string Restored => Path.Combine(Root, "restored");

    /// <summary>Transactions committed (receipt in hand) before the backup process was started.</summary>
    public List<string> AcknowledgedBefore { get; } = [];
    public int WrittenDuring { get; private set; }
    public (int Code, string Output) BackupRun { get; private set; }
    public (int Code, string Output) RestoreRun { get; private set; }

    public async Task InitializeAsync()
    {
        _ = Portal.Server; // starts the portal: migrations, demo ledger and records
        var engine = Portal.Services.GetRequiredService<LedgerHost>().Engine;
        var acknowledged = new ConcurrentQueue<(string Id, long At)>();
        using var stop = new CancellationTokenSource(MaxWriting);
        var factory = new TransactionFactory();
        var bits = engine.Genesis.Parameters.PatientPowBits;

        // The writer: one registration after another, each acknowledged only with its receipt (after its block committed).
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < MaxWrites && !stop.IsCancellationRequested; i++)
            {
                using var key = LedgerKeyPair.Create();
                var tx = factory.PatientRegister(key.PublicJwk, MpiNumber.NewNumber(), Base64Url.Encode(new byte[32]), bits).SignWith(key);
                var result = await engine.SubmitAsync(tx);
                if (!result.IsCommitted) throw new InvalidOperationException("the writer's registration was refused: " + result);
                acknowledged.Enqueue((tx.IdText, Stopwatch.GetTimestamp()));
            }
        });
        while (acknowledged.Count < 20 && !writer.IsCompleted) await Task.Delay(10);

        var backupStarted = Stopwatch.GetTimestamp();
        BackupRun = await Executable.RunAsync(["backup", "--data", Portal.DataFolder, "--out", Archive]);
        var backupEnded = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await writer;
        // The writer must have committed while the backup ran, or the test proved nothing about writes during it.
        WrittenDuring = acknowledged.Count(a => a.At > backupStarted && a.At < backupEnded);
        AcknowledgedBefore.AddRange(acknowledged.Where(a => a.At < backupStarted).Select(a => a.Id));

        var output = new StringWriter();
        var code = OperatorCommands.Run(["restore", "--from", Archive, "--data", Restored], output);
        RestoreRun = (code, output.ToString().Trim());
    }

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public sealed class NodeBackupWhileWritingTests(BackupWhileWritingFixture backup) : IClassFixture<BackupWhileWritingFixture>
{
    [Fact]
    public void Backup_OfARunningPortal_SucceedsWhileTheWriterKeepsCommitting()
    {
        Assert.True(backup.BackupRun.Code == 0, backup.BackupRun.Output);
        Assert.StartsWith("OK backup ", backup.BackupRun.Output);
        Assert.True(backup.WrittenDuring > 0, "no transaction committed while the backup ran");
    }

    [Fact]
    public void Archive_HoldsEveryDatabaseAndBothKeyRings()
    {
        using var zip = ZipFile.OpenRead(backup.Archive);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains(NodeBackup.ManifestName, names);
        Assert.Contains("ledger.db", names);
        Assert.Contains("identity.db", names);
        Assert.Contains(names, n => n.StartsWith("ehr/", StringComparison.Ordinal) && n.EndsWith(".db", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("keys/", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("ledger-keys/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.EndsWith("-wal", StringComparison.Ordinal) || n.EndsWith("-shm", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_ChecksEveryAnchoredRecordAgainstItsStore()
    {
        Assert.True(backup.RestoreRun.Code == 0, backup.RestoreRun.Output);
        var records = int.Parse(backup.RestoreRun.Output.Split("records=")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(records > 0, "the demo records were anchored, so restore must have checked some: " + backup.RestoreRun.Output);
    }

    [Fact]
    public void RestoredLedger_PassesLedgerVerify()
    {
        var output = new StringWriter();
        Assert.True(OperatorCommands.Run(["ledger", "verify", "--data", backup.Restored], output) == 0, output.ToString());
        Assert.StartsWith("OK height=", output.ToString());
    }

    [Fact]
    public void RestoredLedger_HoldsEveryTransactionAcknowledgedBeforeTheBackupStarted()
    {
        Assert.NotEmpty(backup.AcknowledgedBefore);
        using var store = SqliteBlockStore.Open(Path.Combine(backup.Restored, LedgerHost.LedgerFileName), readOnly: true);
        var missing = backup.AcknowledgedBefore.Where(id => store.FindSeq(Base64Url.Decode(id)) is null).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {backup.AcknowledgedBefore.Count} acknowledged transactions are missing, first {missing.FirstOrDefault()}");
    }

    [Fact]
    public async Task RestoredFolder_StartsAPortalThatAnswersReady()
    {
        await using var restored = new RestoredPortal(backup.Restored, backup.Portal.KeyEncryptionKey!);
        var response = await restored.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The same node started again on the restored folder, with the key-encryption key it was backed up with.</summary>
    private sealed class RestoredPortal(string folder, string kek) : PortalFactory
    {
        public override string? KeyEncryptionKey => kek;

        protected override IReadOnlyDictionary<string, string> Settings =>
            new Dictionary<string, string>(base.Settings) { ["HealthPortal:DataFolder"] = folder };
    }
}

/// <summary>Archives that must not be restored, and targets that must not be overwritten, on a small ledger-only node.</summary>
public sealed class NodeBackupRefusalTests : IAsyncLifetime
{
    private LedgerKit _kit = null!;
    private readonly string _root = Directory.CreateTempSubdirectory("hp-restore-").FullName;
    private string Archive => Path.Combine(_root, "node.zip");

    public async Task InitializeAsync()
    {
        _kit = new LedgerKit();
        await _kit.Patient("MPI-0101");
        await _kit.ApprovedFacility();
        Directory.CreateDirectory(Path.Combine(_kit.Folder, "ledger-keys"));
        await File.WriteAllTextAsync(Path.Combine(_kit.Folder, "ledger-keys", "facility-x.key"), "protected key bytes");
        var output = new StringWriter();
        Assert.True(OperatorCommands.Run(["backup", "--data", _kit.Folder, "--out", Archive], output) == 0, output.ToString());
    }

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Line) Run(params string[] args)
    {
        var output = new StringWriter();
        var code = OperatorCommands.Run(args, output);
        return (code, output.ToString().Trim());
    }

    [Fact]
    public void Restore_IntoEmptyFolder_VerifiesAndExitsZero()
    {
        var target = Path.Combine(_root, "fresh");
        var (code, line) = Run("restore", "--from", Archive, "--data", target);
        Assert.True(code == 0, line);
        Assert.Equal("protected key bytes", File.ReadAllText(Path.Combine(target, "ledger-keys", "facility-x.key")));
        Assert.Equal(0, Run("ledger", "verify", "--data", target).Code);
    }

    [Theory]
    [InlineData("ledger.db")]
    [InlineData("ledger-keys/facility-x.key")]
    public void Restore_ArchiveWithOneChangedByte_IsRefusedNamingTheFile(string entryName)
    {
        using (var zip = ZipFile.Open(Archive, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry(entryName)!;
            byte[] bytes;
            using (var read = entry.Open())
            using (var buffer = new MemoryStream())
            {
                read.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            bytes[bytes.Length / 2] ^= 0x01;
            entry.Delete();
            using var write = zip.CreateEntry(entryName).Open();
            write.Write(bytes);
        }
        var target = Path.Combine(_root, "damaged");

        var (code, line) = Run("restore", "--from", Archive, "--data", target);

        Assert.Equal(1, code);
        Assert.StartsWith($"BAD {entryName} does not match its SHA-256", line);
        Assert.DoesNotContain('\n', line);
        Assert.False(Directory.Exists(target), "nothing may be put in place from a bad archive");
        Assert.Empty(Directory.EnumerateDirectories(_root, ".damaged.restore-*"));
        Assert.Equal(BackupError.ArchiveDamaged, NodeBackup.Restore(Archive, target, force: false).Error);
    }

    [Fact]
    public void Restore_ArchiveWithAFlippedByteInItsCompressedData_IsRefused()
    {
        var bytes = File.ReadAllBytes(Archive);
        // Inside the first entry's data (after its local header), where only the checks of restore can notice.
        bytes[200] ^= 0xFF;
        File.WriteAllBytes(Archive, bytes);

        var (code, line) = Run("restore", "--from", Archive, "--data", Path.Combine(_root, "flipped"));

        Assert.Equal(1, code);
        Assert.StartsWith("BAD ", line);
    }

    [Fact]
    public void Restore_IntoNonEmptyFolder_IsRefusedWithoutForce_AndKeepsTheOldContentWithIt()
    {
        var target = Path.Combine(_root, "occupied");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "identity.db"), "someone's data");

        var (refused, line) = Run("restore", "--from", Archive, "--data", target);
        Assert.Equal(1, refused);
        Assert.Contains("is not empty", line);
        Assert.Equal("someone's data", File.ReadAllText(Path.Combine(target, "identity.db")));

        var (forced, forcedLine) = Run("restore", "--from", Archive, "--data", target, "--force");
        Assert.True(forced == 0, forcedLine);
        Assert.True(File.Exists(Path.Combine(target, "ledger.db")));
        var aside = Assert.Single(Directory.GetDirectories(_root, "occupied.before-restore-*"));
        Assert.Equal("someone's data", File.ReadAllText(Path.Combine(aside, "identity.db")));
    }

    [Fact]
    public void Backup_WithoutOut_IsAUsageError()
    {
        Assert.Equal(2, Run("backup", "--data", _kit.Folder).Code);
        Assert.Equal(2, Run("restore", "--from", Archive).Code);
    }
}

/// <summary>The real HealthPortal.dll beside the tests, run as an operator would run it.</summary>
internal static class Executable
{
    public static async Task<(int Code, string Output)> RunAsync(IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HealthPortal.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_gcServer"] = "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', args)} did not finish: {await output}");
        }
        return (process.ExitCode, ((await output) + (await error)).Trim());
    }
}
