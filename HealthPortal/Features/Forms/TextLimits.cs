namespace HealthPortal.Features.Forms;

/// <summary>
/// The stated maximum of every kind of free-text field, in characters: the form shows it as a counter and stops typing
/// at it (<c>maxlength</c>), and the service refuses anything longer with the same number, so what the page promises is
/// what the server accepts.
/// </summary>
public static class TextLimits
{
    /// <summary>A person's or clinician's name, a drug, a ward's or device's label.</summary>
    public const int Name = 200;

    /// <summary>A short phrase: a dose, a frequency, a ward.</summary>
    public const int Short = 100;

    /// <summary>A sentence or two: a chief complaint, a reason.</summary>
    public const int Sentence = 500;

    /// <summary>Findings and treatment of a clinic visit.</summary>
    public const int Paragraphs = 4000;

    /// <summary>
    /// A clinical note (a discharge summary can run to tens of pages): 50,000 characters. The circuit's receive limit
    /// (<see cref="HubMessageBytes"/>) is sized from it.
    /// </summary>
    public const int ClinicalNote = 50_000;

    /// <summary>
    /// The largest message the Blazor hub accepts from a browser. SignalR's default (32 KB) silently ends the circuit
    /// when a long note is sent in one change event; this fits <see cref="ClinicalNote"/> characters even when every
    /// one is JSON-escaped as <c>\uXXXX</c> (6 bytes), plus the envelope, and no more, so a client still cannot push
    /// arbitrarily large messages.
    /// </summary>
    public const long HubMessageBytes = ClinicalNote * 6L + 16 * 1024;
}
