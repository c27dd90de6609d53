namespace HealthPortal.Features.Times;

/// <summary>
/// The date fields of one form whose typed text is not a date, by field. A form that saves refuses while any is
/// left, because MudBlazor clears the field's value when its text cannot be read: saving then would drop an optional
/// date (a follow-up, a discharge) the person can still see typed on the screen.
/// </summary>
public sealed class UnreadDates
{
    private readonly Dictionary<string, (string Label, string Problem)> _unread = new(StringComparer.Ordinal);

    public bool Any => _unread.Count > 0;

    /// <summary>One sentence naming each field and why, for the form's message above its save button.</summary>
    public string Summary => string.Join(" ", _unread.Values.Select(u => $"{u.Label}: {u.Problem}"));

    public void Report(string field, string label, string? problem)
    {
        if (problem is null) _unread.Remove(field);
        else _unread[field] = (label, problem);
    }

    /// <summary>After a save has reset the form's fields.</summary>
    public void Clear() => _unread.Clear();
}
