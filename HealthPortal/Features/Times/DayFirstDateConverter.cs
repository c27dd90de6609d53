using MudBlazor;
using MudBlazor.Utilities.Exceptions;

namespace HealthPortal.Features.Times;

/// <summary>
/// The converter of every date field: shows a date as dd/MM/yyyy and reads what was typed through
/// <see cref="DayFirstDates.Read"/>. A text that is not a date is refused with its reason (MudBlazor shows the
/// conversion error under the field) instead of MudBlazor's culture-dependent parse, which would read the server's
/// culture (month first under the invariant culture) and say only "Not a valid date time".
/// </summary>
public sealed class DayFirstDateConverter : IReversibleConverter<DateTime?, string?>
{
    public static DayFirstDateConverter Instance { get; } = new();

    public string? Convert(DateTime? input) => input is { } date ? DayFirstDates.Text(date) : null;

    public DateTime? ConvertBack(string? input)
    {
        var reading = DayFirstDates.Read(input);
        // The localizer finds no resource under this key and shows the key itself: the sentence written for people.
        return reading.IsDate ? reading.Date : throw new ConversionException(reading.Problem!, [], null);
    }
}
