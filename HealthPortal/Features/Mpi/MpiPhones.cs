namespace HealthPortal.Features.Mpi;

/// <summary>
/// Myanmar phone numbers to one form: the national number without trunk 0 or country code, so
/// <c>+95 9 420 123 456</c>, <c>959420123456</c>, <c>09-420-123456</c> and Burmese digits all read <c>9420123456</c>.
/// Returns empty for text that has too few digits to be a number (a blank field, "none").
/// </summary>
public static class MpiPhones
{
    public static string Normalise(string? input)
    {
        var digits = new string(MyanmarText.AsciiDigits(input ?? "").Where(char.IsAsciiDigit).ToArray());
        if (digits.StartsWith("0095", StringComparison.Ordinal)) digits = digits[4..];
        else if (digits.StartsWith("95", StringComparison.Ordinal) && digits.Length >= 10) digits = digits[2..];
        if (digits.StartsWith('0')) digits = digits[1..];
        return digits.Length >= 6 ? digits : "";
    }
}
