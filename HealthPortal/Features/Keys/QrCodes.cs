using QRCoder;
using HealthPortal.Features.Admission;

namespace HealthPortal.Features.Keys;

/// <summary>QR codes drawn on the server as PNG data URIs (the CSP allows data: images; nothing comes from elsewhere).</summary>
public static class QrCodes
{
    /// <summary>What an MPI card's QR code holds: a prefix staff scanners recognise, then the number as printed.</summary>
    /// <summary>What an MPI card's QR code starts with, before the number; the staff scanner reads the same.</summary>
    public const string MpiPrefix = "HPMPI:";

    public static string MpiPayload(string mpi) => MpiPrefix + mpi;

    public static string PngDataUri(string text, int pixelsPerModule = 8)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(pixelsPerModule));
    }
}

/// <summary>Key ids shown to people: the thumbprint's first 20 characters in groups of 4, enough to compare two screens.</summary>
public static class KeyFingerprint
{
    public static string Short(string kid)
    {
        var head = kid.Length > 20 ? kid[..20] : kid;
        return string.Join(' ', Enumerable.Range(0, (head.Length + 3) / 4).Select(i => head.Substring(i * 4, Math.Min(4, head.Length - i * 4))));
    }
}
