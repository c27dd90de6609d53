using System.Text;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Ledger.Transactions;

/// <summary>
/// <see cref="Transaction.BodyRange"/> is recorded where the signing bytes are written, so the store keeps exactly
/// the canonical body without cutting it out of the envelope by offsets; the id and signing bytes are unchanged.
/// </summary>
public sealed class TransactionBodyRangeTests
{
    private static readonly LedgerKeyPair Key = LedgerKeyPair.Create();

    /// <summary>Types of every length (the old store offsets depended on the type's length).</summary>
    public static IEnumerable<object[]> Transactions()
    {
        var f = new TransactionFactory();
        var hash = Base64Url.Encode(new byte[32]);
        yield return [f.NodeApprove(Key.Id).SignWith(Key)];
        yield return [f.KeyRevoke("MPI-0001", Key.Id)];
        yield return [f.GrantRevoke("MPI-0001", hash).SignWith(Key)];
        yield return [f.RecordAnchor("MPI-0001", Key.Id, "r/1", "lab", "2026-01-01", hash, "https://x.example/é").SignWith(Key)];
        yield return [f.AccessLog(Key.Id, "staff-1", "MPI-0001", ["a"], null, new BreakGlassBasis(BreakGlassReasons.Unconscious, hash), "emergency")];
    }

    [Theory]
    [MemberData(nameof(Transactions))]
    public void CanonicalBody_IsTheJcsBodyInsideTheUnchangedSigningBytes(Transaction tx)
    {
        var body = Jcs.CanonicalizeOrThrow(tx.Body);
        Assert.Equal(body, tx.CanonicalBody.ToArray());
        // The envelope as the ledger has always hashed it: {"body":B,"type":"T"}.
        var envelope = Encoding.UTF8.GetBytes("{\"body\":").Concat(body).Concat(Encoding.UTF8.GetBytes($",\"type\":\"{tx.Type}\"}}")).ToArray();
        Assert.Equal(envelope, tx.SigningBytes);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(envelope), tx.Id);
        Assert.Equal(tx.SigningBytes, Transaction.SigningBytesOf(tx.Type, tx.CanonicalBody));
    }

    [Theory]
    [MemberData(nameof(Transactions))]
    public void BodyRange_SurvivesSigningAndParsingOnBothReaders(Transaction tx)
    {
        var signed = tx.WithSignature("k", new byte[64]);
        Assert.Equal(tx.BodyRange, signed.BodyRange);
        var wire = Encoding.UTF8.GetBytes(signed.ToJsonString());
        var fast = TransactionCodec.TryParseWellFormed(wire)!;
        var general = TransactionCodec.ParseGeneral(wire).Value!;
        foreach (var parsed in new[] { fast, general })
        {
            Assert.Equal(tx.Id, parsed.Id);
            Assert.Equal(tx.CanonicalBody.ToArray(), parsed.CanonicalBody.ToArray());
        }
    }
}
