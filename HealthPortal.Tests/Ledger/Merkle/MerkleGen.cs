using System.Buffers.Binary;
using CsCheck;
using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Tests.Ledger.Merkle;

/// <summary>
/// Generators for property tests. A tree is described by its size and a salt, and its leaves are
/// derived from both, so failures print compactly, shrink well, and no two leaves of a tree are equal.
/// </summary>
internal static class MerkleGen
{
    public const int MaxSize = 300;

    /// <summary>(size, salt) with size in [min, MaxSize].</summary>
    public static Gen<(int Size, ulong Salt)> Tree(int min = 0) => Gen.Select(Gen.Int[min, MaxSize], Gen.ULong);

    /// <summary>A tree with at least one leaf and an index in it.</summary>
    public static Gen<(int Size, ulong Salt, int Index)> TreeAndIndex() =>
        Tree(1).SelectMany(t => Gen.Int[0, t.Size - 1].Select(i => (t.Size, t.Salt, i)));

    /// <summary>A tree with at least one leaf and an old size in [1, size].</summary>
    public static Gen<(int Size, ulong Salt, int OldSize)> TreeAndOldSize() =>
        Tree(1).SelectMany(t => Gen.Int[1, t.Size].Select(m => (t.Size, t.Salt, m)));

    public static byte[][] Leaves(int size, ulong salt)
    {
        var leaves = new byte[size][];
        Span<byte> data = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(data, salt);
        for (var i = 0; i < size; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data[8..], i);
            leaves[i] = MerkleHash.Leaf(data);
        }
        return leaves;
    }
}
