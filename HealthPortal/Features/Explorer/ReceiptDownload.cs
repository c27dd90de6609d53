using HealthPortal.Ledger.Receipts;

namespace HealthPortal.Features.Explorer;

/// <summary>
/// A receipt as a downloaded file, the one form every portal gives (admin explorer, patient timeline), and the form
/// <c>receipt verify FILE</c> checks offline.
/// </summary>
public static class ReceiptDownload
{
    public static string FileName(string txId) => $"receipt-{txId}.json";

    public static IResult File(Receipt receipt) =>
        Results.File(System.Text.Encoding.UTF8.GetBytes(receipt.ToJsonString()), "application/json", FileName(receipt.TransactionId));
}
