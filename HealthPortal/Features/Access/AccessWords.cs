using HealthPortal.Features.Words;

namespace HealthPortal.Features.Access;

/// <summary>
/// The access views' words in the reader's language (AccessWords.resx / .my.resx beside this file): who read, and what a
/// delegate did, as records (<see cref="AccessView"/>, <see cref="DelegatedActView"/>) say it. The FHIR export builds its
/// own English texts and does not read these.
/// </summary>
public static class AccessWords
{
    private static readonly ResourceWords Texts = new(typeof(AccessWords));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);
}
