using HealthPortal.Features.Words;

namespace HealthPortal.Features.Explorer;

/// <summary>
/// The explorer's words that <see cref="LedgerQueries"/> puts in its views (who signed, what the inclusion proof shows),
/// in the reader's language (ExplorerWords.resx / .my.resx beside this file). The receipt the explorer offers for
/// download is the ledger's JSON and never passes through here.
/// </summary>
public static class ExplorerWords
{
    private static readonly ResourceWords Texts = new(typeof(ExplorerWords));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);

    /// <summary>A node's kind as the ledger writes it ("hospital"), in the portal's words for that kind; another as it is.</summary>
    public static string NodeKind(string kind) =>
        Enum.TryParse<Facilities.FacilityKind>(kind, ignoreCase: true, out var known) ? Facilities.FacilityWords.Kind(known) : kind;
}
