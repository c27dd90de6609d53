using System.Security.Cryptography;

namespace HealthPortal.Tests.Ledger.Merkle;

/// <summary>
/// RFC 6962 §2.1 transcribed as literally as possible: recursion over list slices, its own SHA-256
/// calls, no cleverness. Slow on purpose; the optimised code in HealthPortal.Ledger.Merkle is checked
/// against it. Inputs are leaf hashes, so MTH of a single entry is that entry.
/// </summary>
internal static class ReferenceMerkle
{
    public static byte[] LeafHash(byte[] data) => SHA256.HashData([0x00, .. data]);

    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>MTH(D[n]).</summary>
    public static byte[] Mth(byte[][] d)
    {
        var n = d.Length;
        if (n == 0) return SHA256.HashData(Array.Empty<byte>());
        if (n == 1) return d[0];
        var k = LargestPowerOfTwoLessThan(n);
        return NodeHash(Mth(d[..k]), Mth(d[k..]));
    }

    /// <summary>PATH(m, D[n]), for 0 &lt;= m &lt; n.</summary>
    public static List<byte[]> Path(int m, byte[][] d)
    {
        var n = d.Length;
        if (n == 1) return [];
        var k = LargestPowerOfTwoLessThan(n);
        return m < k
            ? [.. Path(m, d[..k]), Mth(d[k..])]
            : [.. Path(m - k, d[k..]), Mth(d[..k])];
    }

    /// <summary>PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 &lt; m &lt;= n.</summary>
    public static List<byte[]> Proof(int m, byte[][] d) => SubProof(m, d, true);

    private static List<byte[]> SubProof(int m, byte[][] d, bool b)
    {
        var n = d.Length;
        if (m == n) return b ? [] : [Mth(d)];
        var k = LargestPowerOfTwoLessThan(n);
        return m <= k
            ? [.. SubProof(m, d[..k], b), Mth(d[k..])]
            : [.. SubProof(m - k, d[k..], false), Mth(d[..k])];
    }

    private static int LargestPowerOfTwoLessThan(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }
}
