using HealthPortal.Features.Words;

namespace HealthPortal.Features.BreakGlass;

/// <summary>
/// Why an emergency session was not opened, in the reader's language (BreakGlassStartWords.resx / .my.resx beside this
/// file): <see cref="BreakGlassSessions.StartAsync"/> returns these to the staff member's page and stores none of them.
/// </summary>
internal static class BreakGlassStartWords
{
    private static readonly ResourceWords Texts = new(typeof(BreakGlassStartWords));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);
}
