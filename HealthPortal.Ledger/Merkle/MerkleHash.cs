using System.Security.Cryptography;

namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing with SHA-256: leaves and interior nodes are hashed with
/// different one-byte prefixes so that a leaf can never be passed off as a node (second pre-image).
/// </summary>
public static class MerkleHash
{
    /// <summary>Length in bytes of every leaf, node and root hash (SHA-256).</summary>
    public const int Size = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Leaves shorter than this are prefixed in a stack buffer and hashed in one shot; longer ones are
    // streamed through a per-thread IncrementalHash so neither path allocates beyond the result.
    private const int StackLeafLimit = 256;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>Returns <c>SHA-256(0x00 || data)</c>, the hash of a leaf holding <paramref name="data"/>.</summary>
    /// <param name="data">The leaf's canonical bytes; may be empty.</param>
    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        var hash = new byte[Size];
        Leaf(data, hash);
        return hash;
    }

    /// <summary>Writes <c>SHA-256(0x00 || data)</c> into <paramref name="destination"/>.</summary>
    /// <param name="data">The leaf's canonical bytes; may be empty.</param>
    /// <param name="destination">At least <see cref="Size"/> bytes; only the first <see cref="Size"/> are written.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public static void Leaf(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination);
        if (data.Length < StackLeafLimit)
        {
            Span<byte> buffer = stackalloc byte[StackLeafLimit];
            buffer[0] = LeafPrefix;
            data.CopyTo(buffer[1..]);
            SHA256.HashData(buffer[..(data.Length + 1)], destination);
            return;
        }

        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData([LeafPrefix]);
        sha256.AppendData(data);
        sha256.GetHashAndReset(destination);
    }

    /// <summary>Returns <c>SHA-256(0x01 || left || right)</c>, the hash of an interior node.</summary>
    /// <param name="left">Hash of the left child; exactly <see cref="Size"/> bytes.</param>
    /// <param name="right">Hash of the right child; exactly <see cref="Size"/> bytes.</param>
    /// <exception cref="ArgumentException">A child is not <see cref="Size"/> bytes long. Children of other
    /// lengths would make <c>left || right</c> ambiguous, so they are refused rather than hashed.</exception>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[Size];
        Node(left, right, hash);
        return hash;
    }

    /// <summary>Writes <c>SHA-256(0x01 || left || right)</c> into <paramref name="destination"/>.</summary>
    /// <param name="left">Hash of the left child; exactly <see cref="Size"/> bytes.</param>
    /// <param name="right">Hash of the right child; exactly <see cref="Size"/> bytes.</param>
    /// <param name="destination">At least <see cref="Size"/> bytes; may overlap <paramref name="left"/> or
    /// <paramref name="right"/>.</param>
    /// <exception cref="ArgumentException">A child is not <see cref="Size"/> bytes long, or
    /// <paramref name="destination"/> is too short.</exception>
    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        CheckChild(left, nameof(left));
        CheckChild(right, nameof(right));
        CheckDestination(destination);

        // Copying both children first is what makes an overlapping destination safe.
        Span<byte> buffer = stackalloc byte[1 + 2 * Size];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Size)..]);
        SHA256.HashData(buffer, destination);
    }

    /// <summary>Returns <c>SHA-256("")</c>, the RFC 6962 root of the empty tree. A new array on every call.</summary>
    public static byte[] Empty() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    private static void CheckChild(ReadOnlySpan<byte> child, string paramName)
    {
        if (child.Length != Size)
            throw new ArgumentException($"A child hash must be {Size} bytes; found {child.Length}.", paramName);
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length < Size)
            throw new ArgumentException($"The destination must hold {Size} bytes; found {destination.Length}.", nameof(destination));
    }
}
