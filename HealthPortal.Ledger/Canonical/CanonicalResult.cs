using System.Diagnostics.CodeAnalysis;

namespace HealthPortal.Ledger.Canonical;

/// <summary>
/// Outcome of canonicalization: the canonical UTF-8 bytes, or an error naming the JSON path of the
/// first offending value. Exactly one of <see cref="Bytes"/> and <see cref="Error"/> is set on values
/// returned by <see cref="Jcs"/>; <c>default</c> is neither and counts as a failure.
/// </summary>
public readonly record struct CanonicalResult(byte[]? Bytes, string? Error)
{
    /// <summary>True when <see cref="Bytes"/> holds the canonical form.</summary>
    [MemberNotNullWhen(true, nameof(Bytes))]
    public bool IsSuccess => Bytes is not null && Error is null;

    /// <summary>A successful result; <paramref name="bytes"/> must not be null.</summary>
    public static CanonicalResult Success(byte[] bytes) => new(bytes ?? throw new ArgumentNullException(nameof(bytes)), null);

    /// <summary>A failed result; <paramref name="error"/> must not be null.</summary>
    public static CanonicalResult Failure(string error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));
}
