using System.Diagnostics.CodeAnalysis;
using Nethereum.Util;

namespace HealthPortal.Ledger.Crypto.Wallet;

/// <summary>
/// A 20-byte Ethereum account address. Its text form on the ledger is the EIP-55 mixed-case checksum spelling
/// (<c>0x</c> + 40 hex digits), so one account has exactly one key id.
/// </summary>
public readonly record struct EthereumAddress
{
    /// <summary>Length of an address in bytes.</summary>
    public const int Length = 20;

    private readonly byte[]? _bytes;

    private EthereumAddress(byte[] bytes) => _bytes = bytes;

    /// <summary>The 20 address bytes (a copy).</summary>
    public byte[] ToBytes() => (byte[])(_bytes ?? new byte[Length]).Clone();

    /// <summary>The address of an uncompressed secp256k1 public key (64 bytes X‖Y, no 0x04 prefix): the last 20 bytes of its Keccak-256.</summary>
    /// <exception cref="ArgumentException"><paramref name="publicKeyXy"/> is not 64 bytes.</exception>
    public static EthereumAddress FromPublicKey(ReadOnlySpan<byte> publicKeyXy)
    {
        if (publicKeyXy.Length != 64) throw new ArgumentException("An uncompressed public key without its prefix is 64 bytes.", nameof(publicKeyXy));
        var hash = Sha3Keccack.Current.CalculateHash(publicKeyXy.ToArray());
        return new EthereumAddress(hash[12..]);
    }

    /// <summary>The address made of these 20 bytes.</summary>
    /// <exception cref="ArgumentException">Not 20 bytes.</exception>
    public static EthereumAddress FromBytes(ReadOnlySpan<byte> bytes)
        => bytes.Length == Length ? new EthereumAddress(bytes.ToArray()) : throw new ArgumentException("An address is 20 bytes.", nameof(bytes));

    /// <summary>
    /// Reads <c>0x</c> + 40 hex digits. All-lower-case and all-upper-case spellings carry no checksum and are accepted
    /// (EIP-55); a mixed-case spelling must match the checksum exactly. Never throws.
    /// </summary>
    public static bool TryParse(string? text, out EthereumAddress address, out string error)
    {
        address = default;
        if (text is null || text.Length != 2 + 2 * Length || !text.StartsWith("0x", StringComparison.Ordinal))
            return Refuse("an address is 0x followed by 40 hexadecimal digits", out error);
        var hex = text.AsSpan(2);
        var bytes = new byte[Length];
        for (var i = 0; i < Length; i++)
        {
            var hi = HexValue(hex[2 * i]);
            var lo = HexValue(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) return Refuse("an address is 0x followed by 40 hexadecimal digits", out error);
            bytes[i] = (byte)(hi << 4 | lo);
        }
        var candidate = new EthereumAddress(bytes);
        var hasLower = hex.ContainsAny("abcdef");
        var hasUpper = hex.ContainsAny("ABCDEF");
        if (hasLower && hasUpper && candidate.ToString() != text)
            return Refuse($"{text} has a wrong EIP-55 checksum (expected {candidate})", out error);
        address = candidate;
        error = "";
        return true;
    }

    /// <summary>True only for the exact EIP-55 spelling, the only one the ledger stores as a key id.</summary>
    public static bool IsCanonical(string? text) => TryParse(text, out var a, out _) && a.ToString() == text;

    /// <summary>Like <see cref="TryParse(string?, out EthereumAddress, out string)"/> for the canonical spelling only.</summary>
    public static bool TryParseCanonical(string? text, [NotNullWhen(true)] out string? canonical)
    {
        canonical = TryParse(text, out var a, out _) && a.ToString() == text ? text : null;
        return canonical is not null;
    }

    /// <summary>The EIP-55 spelling: hex digit i is upper case when nibble i of Keccak-256(lower-case hex) is 8 or more.</summary>
    public override string ToString()
    {
        var lower = Convert.ToHexStringLower(_bytes ?? new byte[Length]);
        var hash = Sha3Keccack.Current.CalculateHash(System.Text.Encoding.ASCII.GetBytes(lower));
        var chars = new char[2 + lower.Length];
        chars[0] = '0';
        chars[1] = 'x';
        for (var i = 0; i < lower.Length; i++)
        {
            var nibble = (i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2]) & 0xF;
            chars[2 + i] = nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i];
        }
        return new string(chars);
    }

    /// <inheritdoc />
    public bool Equals(EthereumAddress other) => (_bytes ?? new byte[Length]).AsSpan().SequenceEqual(other._bytes ?? new byte[Length]);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(_bytes ?? new byte[Length], 0);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool Refuse(string message, out string error)
    {
        error = message;
        return false;
    }
}
