using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Support;

/// <summary>
/// A throw-away ledger node for tests: fresh temp folder, one admin, a genesis sealer and low proof-of-work so
/// registrations are quick. Helpers register facilities and patients through real transactions.
/// </summary>
public sealed class LedgerKit : IAsyncDisposable
{
    private bool _closed;

    public LedgerKit(int patientPowBits = 4, int facilityPowBits = 6, TimeProvider? clock = null, SequencerOptions? sequencer = null,
        Func<LedgerOptions, LedgerOptions>? configure = null, Func<Genesis, Genesis>? configureGenesis = null)
    {
        Folder = Directory.CreateTempSubdirectory("hp-ledger-").FullName;
        Clock = clock ?? TimeProvider.System;
        Genesis = new Genesis("test-chain", Clock.GetUtcNow().ToUnixTimeMilliseconds(), [Admin.PublicJwk],
            new GenesisNode(Sealer.PublicJwk, NodeKind.Hospital, "Genesis Hospital", "https://genesis.example"),
            new GenesisParameters(patientPowBits, facilityPowBits, 365, 300_000));
        if (configureGenesis is not null) Genesis = configureGenesis(Genesis);
        Options = new LedgerOptions { DatabasePath = Path.Combine(Folder, "ledger.db"), Sequencer = sequencer ?? new SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(2) } };
        if (configure is not null) Options = configure(Options);
        Engine = LedgerEngine.Open(Options, Genesis, Sealer, Clock);
        Tx = new TransactionFactory(Clock);
    }

    public string Folder { get; }
    public TimeProvider Clock { get; }
    public LedgerKeyPair Admin { get; } = LedgerKeyPair.Create();
    public LedgerKeyPair Sealer { get; } = LedgerKeyPair.Create();
    public Genesis Genesis { get; }
    public LedgerOptions Options { get; }
    public LedgerEngine Engine { get; private set; }
    public TransactionFactory Tx { get; }

    /// <summary>The kit's clock now, in Unix milliseconds.</summary>
    public long Now => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<SubmitResult> Submit(Transaction tx) => await Engine.SubmitAsync(tx);

    public async Task<SubmitResult> MustCommit(Transaction tx)
    {
        var result = await Engine.SubmitAsync(tx);
        Assert.True(result.IsCommitted, $"{tx.Type} was refused: {result}");
        return result;
    }

    /// <summary>Submits <paramref name="tx"/> and asserts it is refused with exactly <paramref name="expected"/> and left no trace.</summary>
    public async Task<SubmitResult> MustRefuse(Transaction tx, LedgerError expected)
    {
        var result = await Engine.SubmitAsync(tx);
        Assert.False(result.IsCommitted, $"{tx.Type} committed; expected {expected}");
        Assert.Equal(expected, result.Error);
        Assert.Null(Engine.GetReceipt(tx.Id));
        return result;
    }

    /// <summary>Registers and approves a facility; returns its node key.</summary>
    public async Task<LedgerKeyPair> ApprovedFacility(string kind = NodeKind.Laboratory, string name = "Test Lab")
    {
        var key = LedgerKeyPair.Create();
        await MustCommit(Tx.NodeRegister(key.PublicJwk, kind, name, "https://node.example", Genesis.Parameters.FacilityPowBits).SignWith(key));
        await MustCommit(Tx.NodeApprove(key.Id).SignWith(Admin));
        return key;
    }

    /// <summary>Registers a facility and, unless <paramref name="status"/> is pending, takes it there through admin decisions.</summary>
    public async Task<LedgerKeyPair> Facility(NodeStatus status, string kind = NodeKind.Clinic)
    {
        var key = LedgerKeyPair.Create();
        await MustCommit(Tx.NodeRegister(key.PublicJwk, kind, $"{status} {kind}", "https://node.example", Genesis.Parameters.FacilityPowBits).SignWith(key));
        switch (status)
        {
            case NodeStatus.Approved:
                await MustCommit(Tx.NodeApprove(key.Id).SignWith(Admin));
                break;
            case NodeStatus.Rejected:
                await MustCommit(Tx.NodeReject(key.Id, NodeDecisionReasons.IncompleteApplication).SignWith(Admin));
                break;
            case NodeStatus.Revoked:
                await MustCommit(Tx.NodeApprove(key.Id).SignWith(Admin));
                await MustCommit(Tx.NodeRevoke(key.Id, NodeDecisionReasons.LeftNetwork).SignWith(Admin));
                break;
        }
        return key;
    }

    /// <summary>A record.anchor of <paramref name="record"/> signed by the facility and the patient's key.</summary>
    public Transaction Anchor(LedgerKeyPair facility, LedgerKeyPair patient, string mpi, string record, string category = "lab")
        => Tx.RecordAnchor(mpi, facility.Id, record, category, "2026-11-24", Hash(record), $"Observation/{record}").SignWith(facility).SignWith(patient);

    /// <summary>Registers a patient with a fresh device key; returns the key.</summary>
    public async Task<LedgerKeyPair> Patient(string mpi)
    {
        var key = LedgerKeyPair.Create();
        await MustCommit(Tx.PatientRegister(key.PublicJwk, mpi, Base64Url.Encode(new byte[32]), Genesis.Parameters.PatientPowBits).SignWith(key));
        return key;
    }

    /// <summary>
    /// Adds <paramref name="wallet"/>'s signature of <paramref name="tx"/>: EIP-712 typed data rebuilt as the ledger
    /// does (facility name, kind and endpoint from this node's state), in this chain's domain unless another is given.
    /// </summary>
    public Transaction WalletSigned(Transaction tx, Nethereum.Signer.EthECKey wallet, HealthPortal.Ledger.Crypto.Wallet.WalletDomain? domain = null)
    {
        var data = HealthPortal.Ledger.Rules.WalletSignatures.TypedDataFor(tx, id => HealthPortal.Ledger.Rules.WalletSignatures.Facility(Engine.State.Node(id)))
            ?? throw new InvalidOperationException($"no typed data for {tx.Type}");
        return tx.WithSignature(wallet.GetPublicAddress(), HealthPortal.Tests.Ledger.Crypto.Wallet.WalletTestKeys.SignTyped(wallet, data, domain ?? Engine.State.WalletDomain));
    }

    /// <summary>Adds <paramref name="wallet"/> as a consortium admin, co-signed by the kit's genesis admin.</summary>
    public async Task AdminWallet(Nethereum.Signer.EthECKey wallet)
        => await MustCommit(WalletSigned(Tx.AdminAdd(wallet.GetPublicAddress()).SignWith(Admin), wallet));

    /// <summary>A break-glass basis as a node writes it: a reason code and the hash of the words (kept off the ledger).</summary>
    public static BreakGlassBasis BreakGlass(string code = BreakGlassReasons.Unconscious) => new(code, Hash("the words stay in the node's database"));

    public static string Hash(string text) => Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Closes and reopens the node on the same folder (as after a restart), sealing with <paramref name="sealer"/>
    /// when given (a node whose key is not the genesis sealer's).
    /// </summary>
    public async Task Restart(LedgerKeyPair? sealer = null)
    {
        await Engine.DisposeAsync();
        Engine = LedgerEngine.Open(Options, Genesis, sealer ?? Sealer, Clock);
    }

    /// <summary>
    /// Stops the node and releases its file (pooled connections too), leaving the store complete on disk for tests
    /// that copy, damage or verify it. The kit can no longer submit.
    /// </summary>
    public async Task Close()
    {
        if (_closed) return;
        _closed = true;
        await Engine.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        await Close();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
