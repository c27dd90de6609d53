using System.Globalization;
using HealthPortal.Ledger;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Keys;

/// <summary>
/// The key pages' shared words in the reader's language (KeyWords.resx / KeyWords.my.resx beside this file): what a
/// refusal of the key services, the ledger or a wallet means, and the names a device has before the patient names it.
/// </summary>
/// <remarks>
/// The services answer a code with an English sentence that names the detail (an address, a block, the ledger's own
/// words). English readers keep that sentence exactly; readers of another language get the code's sentence from the
/// resources, since the detail is written in English and a half-translated sentence helps nobody.
/// </remarks>
public static class KeyWords
{
    // Static helpers cannot be an IStringLocalizer<T>; their resources are read the same way (as Grants/GrantWords).
    private static readonly ResourceWords Texts = new(typeof(KeyWords));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);

    /// <summary>True while the reader reads English, the language the services write their sentences in.</summary>
    public static bool ReaderReadsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is "en" or "iv";

    /// <summary>A key service's refusal as the reader reads it.</summary>
    public static string Explain(KeyError error, string? message) =>
        ReaderReadsEnglish && message is not null ? message : Text("KeyError" + error);

    /// <summary>The ledger's refusal (drafts, device links) as the reader reads it.</summary>
    public static string Explain(LedgerError error, string? message) =>
        ReaderReadsEnglish && message is not null ? message : error switch
        {
            LedgerError.PatientAlreadyRegistered or LedgerError.KeyAlreadyRegistered or LedgerError.LastKey or LedgerError.RevokedKey
                or LedgerError.UnknownKey or LedgerError.UnknownPatient or LedgerError.Busy or LedgerError.TimestampOutOfRange
                or LedgerError.InsufficientProofOfWork or LedgerError.BadSignature or LedgerError.WalletSignatureRefused
                or LedgerError.UnsafeText or LedgerError.UnknownNode or LedgerError.NodeNotApproved => Text("LedgerError" + error),
            _ => Text("LedgerErrorOther"),
        };

    /// <summary>A wallet's refusal as the reader reads it; nothing was submitted in any case.</summary>
    public static string Explain(WalletProblem problem, string? message) =>
        ReaderReadsEnglish && message is not null ? message : Text("Wallet" + (problem == WalletProblem.None ? WalletProblem.Failed : problem));

    /// <summary>The browser failed at something (a JS exception); its own message is technical and stays as it is.</summary>
    public static string BrowserFailed(string detail) => Format("BrowserFailed", detail);

    /// <summary>What a device is called before the patient names it.</summary>
    public static string DefaultDeviceName(DeviceKey key, bool isThis) =>
        Text(key.IsWallet ? "DeviceWallet" : key.IsDemoEnrolment ? "DeviceDemo" : isThis ? "DeviceThisBrowser" : "DeviceOtherBrowser");
}
