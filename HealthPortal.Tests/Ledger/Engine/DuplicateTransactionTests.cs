using System.Numerics;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Engine;

/// <summary>
/// A transaction is identified by its canonical {type, body}; re-signing it, even with the malleated ECDSA
/// signature (r, n − s) that verifies just as well, does not make it new.
/// </summary>
public sealed class DuplicateTransactionTests
{
    // The order n of the P-256 group.
    private static readonly BigInteger P256Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    /// <summary>(r, s) → (r, n − s): another valid signature of the same bytes by the same key.</summary>
    private static byte[] Malleate(byte[] signature)
    {
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var malleated = (byte[])signature.Clone();
        var sPrime = (P256Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(malleated, 32, 32);
        sPrime.CopyTo(malleated, 64 - sPrime.Length);
        return malleated;
    }

    private static async Task<(Transaction Committed, Transaction Malleated)> CommitAndMalleate(LedgerKit kit)
    {
        var key = LedgerKeyPair.Create();
        var unsigned = kit.Tx.PatientRegister(key.PublicJwk, "MPI-0001", LedgerKit.Hash("p"), kit.Genesis.Parameters.PatientPowBits);
        var committed = unsigned.SignWith(key);
        await kit.MustCommit(committed);
        var malleated = unsigned.WithSignature(key.Id, Malleate(committed.Signatures[0].Signature));
        // The premise: the new signature differs and verifies on its own.
        Assert.NotEqual(committed.Signatures[0].Signature, malleated.Signatures[0].Signature);
        using (var ecdsa = System.Security.Cryptography.ECDsa.Create(key.PublicJwk.ToParameters()))
            Assert.True(Es256.Verify(ecdsa, malleated.SigningBytes, malleated.Signatures[0].Signature));
        Assert.True(kit.Engine.Check(malleated).IsSuccess);
        return (committed, malleated);
    }

    [Fact]
    public async Task Resubmit_SameTransaction_IsRefusedDuplicateTransaction()
    {
        await using var kit = new LedgerKit();
        var key = LedgerKeyPair.Create();
        var tx = kit.Tx.PatientRegister(key.PublicJwk, "MPI-0001", LedgerKit.Hash("p"), kit.Genesis.Parameters.PatientPowBits).SignWith(key);
        await kit.MustCommit(tx);

        var again = await kit.Submit(tx);

        Assert.Equal(LedgerError.DuplicateTransaction, again.Error);
    }

    [Fact]
    public async Task Resubmit_WithMalleatedSignature_IsRefusedDuplicateTransaction()
    {
        await using var kit = new LedgerKit();
        var (_, malleated) = await CommitAndMalleate(kit);

        var again = await kit.Submit(malleated);

        Assert.Equal(LedgerError.DuplicateTransaction, again.Error);
    }

    [Fact]
    public async Task Resubmit_WithMalleatedSignatureAfterRestart_IsRefusedDuplicateTransaction()
    {
        await using var kit = new LedgerKit();
        var (_, malleated) = await CommitAndMalleate(kit);
        var count = kit.Engine.TransactionCount;
        await kit.Restart();

        var again = await kit.Submit(malleated);

        Assert.Equal(LedgerError.DuplicateTransaction, again.Error);
        Assert.Equal(count, kit.Engine.TransactionCount);
    }

    [Fact]
    public async Task Submit_TransactionAndItsMalleatedTwinInOneBlock_CommitsExactlyOne()
    {
        await using var kit = new LedgerKit(sequencer: new() { BlockInterval = TimeSpan.FromMilliseconds(200) });
        var key = LedgerKeyPair.Create();
        var unsigned = kit.Tx.PatientRegister(key.PublicJwk, "MPI-0001", LedgerKit.Hash("p"), kit.Genesis.Parameters.PatientPowBits);
        var signed = unsigned.SignWith(key);
        var twin = unsigned.WithSignature(key.Id, Malleate(signed.Signatures[0].Signature));

        var results = await Task.WhenAll(kit.Engine.SubmitAsync(signed).AsTask(), kit.Engine.SubmitAsync(twin).AsTask());

        Assert.Single(results, r => r.IsCommitted);
        Assert.Single(results, r => r.Error == LedgerError.DuplicateTransaction);
        Assert.Equal(1, kit.Engine.TransactionCount);
    }
}
