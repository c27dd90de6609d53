using HealthPortal.Features.Outcomes;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HealthPortal.Features.Admission;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Support;

/// <summary>
/// Applying to join as the browser does: the service drafts, the "browser" (here: the worker's algorithm in C#)
/// finds the counter for the handed-out puzzle, the service verifies and submits.
/// </summary>
public static class JoinKit
{
    /// <summary>The counter pow-worker.js would find: the first n with SHA-256(prefix + n + suffix) meeting the bits.</summary>
    public static string SolveLikeTheBrowser(string prefix, string suffix, int bits)
    {
        for (long n = 0; ; n++)
        {
            var counter = n.ToString(CultureInfo.InvariantCulture);
            if (ProofOfWork.LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(prefix + counter + suffix))) >= bits) return counter;
        }
    }

    /// <summary>A counter that does not meet the bits (the smallest one), for forged-stamp tests.</summary>
    public static string InsufficientCounter(string prefix, string suffix, int bits)
    {
        for (long n = 0; ; n++)
        {
            var counter = n.ToString(CultureInfo.InvariantCulture);
            if (ProofOfWork.LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(prefix + counter + suffix))) < bits) return counter;
        }
    }

    public static string SolveLikeTheBrowser(JoinDraft draft) => SolveLikeTheBrowser(draft.Prefix, draft.Suffix, draft.PowBits);

    /// <summary>Drafts, stamps as the browser would, and submits; a refused draft comes back as its refusal.</summary>
    public static async Task<Result<AdmissionDone, AdmissionError>> ApplyAsync(this NodeRegistrations registrations, JoinRequest request)
    {
        var drafted = await registrations.DraftAsync(request);
        if (drafted.Value is not { } draft) return Result<AdmissionDone, AdmissionError>.Fail(drafted.Error, drafted.Message!, drafted.Fields);
        using (draft) return await registrations.SubmitAsync(draft, SolveLikeTheBrowser(draft));
    }
}
