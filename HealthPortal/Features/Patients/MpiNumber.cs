using System.Security.Cryptography;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Patients;

/// <summary>
/// The Master Patient Index number: 11 random digits and a Damm check digit, shown as <c>1234-5678-9012</c>.
/// The Damm quasigroup catches every single-digit error and every transposition of adjacent digits, which are
/// the mistakes people make when reading a number off a card. Spaces and dashes typed by people are ignored.
/// </summary>
public static class MpiNumber
{
    public const int Digits = 12;

    // Damm's totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
    private static readonly byte[,] Table =
    {
        { 0, 3, 1, 7, 5, 9, 8, 6, 4, 2 }, { 7, 0, 9, 2, 1, 5, 4, 8, 6, 3 }, { 4, 2, 0, 6, 8, 7, 1, 3, 5, 9 },
        { 1, 7, 5, 0, 9, 8, 3, 4, 2, 6 }, { 6, 1, 2, 3, 0, 4, 5, 9, 7, 8 }, { 3, 6, 7, 4, 2, 0, 9, 5, 8, 1 },
        { 5, 8, 6, 9, 7, 2, 0, 1, 3, 4 }, { 8, 9, 4, 5, 3, 6, 2, 0, 1, 7 }, { 9, 4, 3, 8, 6, 1, 7, 2, 0, 5 },
        { 2, 5, 8, 1, 4, 3, 6, 7, 9, 0 },
    };

    public static int CheckDigit(ReadOnlySpan<char> digits)
    {
        var interim = 0;
        foreach (var c in digits) interim = Table[interim, c - '0'];
        return interim;
    }

    /// <summary>A fresh random MPI number in display form.</summary>
    public static string NewNumber()
    {
        Span<char> digits = stackalloc char[Digits];
        digits[0] = (char)('1' + RandomNumberGenerator.GetInt32(9)); // no leading zero: it reads as a number
        for (var i = 1; i < Digits - 1; i++) digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        digits[^1] = (char)('0' + CheckDigit(digits[..^1]));
        return Format(digits);
    }

    /// <summary>Parses what a person typed; returns the display form or a message saying what is wrong.</summary>
    public static bool TryParse(string? input, out string mpi, out string error)
    {
        mpi = "";
        var digits = new string((input ?? "").Where(c => c is not (' ' or '-')).ToArray());
        if (digits.Length == 0) { error = "Enter the MPI number."; return false; }
        if (digits.Any(c => !char.IsAsciiDigit(c))) { error = "An MPI number has only digits."; return false; }
        if (digits.Length != Digits) { error = $"An MPI number has {Digits} digits; this has {digits.Length}."; return false; }
        if (CheckDigit(digits) != 0) { error = "This MPI number has a typo (its check digit does not match)."; return false; }
        mpi = Format(digits);
        error = "";
        return true;
    }

    public static bool IsValid(string? input) => TryParse(input, out _, out _);

    private static string Format(ReadOnlySpan<char> d) => $"{d[..4]}-{d[4..8]}-{d[8..]}";
}
