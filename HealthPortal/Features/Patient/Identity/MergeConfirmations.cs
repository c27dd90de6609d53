using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Patient.Identity;

/// <summary>
/// The patients' side of a merge (docs/mpi.md, "Merge and split"): the request a steward sent them, the
/// <c>patient.merge</c> body their browser key signs, and the check that the signature is by an active key of their own
/// number. The holder of the surviving number completes the merge (<see cref="MpiMerges"/> adds the facility's
/// signature and submits); the holder of the retired number, when that number is an account here, may sign first, so
/// that its keys and sharing carry over. The MPI number is read from the caller's profile, never from the browser.
/// </summary>
public sealed class MergeConfirmations(MpiMerges merges, PatientProfiles profiles, LedgerHost ledger)
{
    /// <summary>The request <paramref name="id"/> when it names the caller's number (surviving or retired); null otherwise.</summary>
    public async Task<MergeRequestView?> RequestAsync(ClaimsPrincipal patient, int id, CancellationToken ct = default)
    {
        if (await MpiAsync(patient) is not { } mpi) return null;
        return (await merges.ForSurvivorAsync(mpi, ct)).FirstOrDefault(r => r.Id == id)
            ?? (await merges.ForRetiredAsync(mpi, ct)).FirstOrDefault(r => r.Id == id);
    }

    /// <summary>True when the caller holds the number request <paramref name="request"/> would retire (they sign first, and only to carry keys over).</summary>
    public async Task<bool> IsRetiredHolderAsync(ClaimsPrincipal patient, MergeRequestView request) => await MpiAsync(patient) == request.RetiredMpi;

    /// <summary>The body to sign, made now (its time must be inside the network's window when it is submitted).</summary>
    public async Task<JsonObject?> BodyAsync(ClaimsPrincipal patient, int id, CancellationToken ct = default)
        => await MpiAsync(patient) is { } mpi ? await merges.BodyToSignAsync(mpi, id, ct) : null;

    /// <summary>Adds the patient's browser-key signature to <paramref name="body"/> and completes the merge.</summary>
    public async Task<Result<MergeRequestView, StewardError>> ConfirmAsync(ClaimsPrincipal patient, int id, JsonObject body, PatientSigner signer, string signature,
        CancellationToken ct = default)
    {
        if (await MpiAsync(patient) is not { } mpi) return Result.Fail(StewardError.Forbidden, "Only the patient confirms a merge of their numbers.");
        // A wallet shows no struct for a merge, so the ledger would refuse it: say so before asking.
        if (signer is not PatientSigner.BrowserKey) return Result.Fail(StewardError.Invalid, "A merge is signed with this browser's key; a wallet cannot sign it.");
        var created = Transaction.Create(TxType.PatientMerge, body);
        if (!created.IsSuccess) return Result.Fail(StewardError.Invalid, created.Message ?? "What was signed is not a merge.");
        var signed = PatientSignatures.Add(ledger.Reader, created.Value!, mpi, signer, signature);
        if (!signed.IsOk) return Result.Fail(StewardError.Invalid, signed.Message!);
        // The service checks the number against the request: the retired number's holder signs first, the survivor's completes.
        if ((await merges.ForRetiredAsync(mpi, ct)).Any(r => r.Id == id)) return await merges.RetiredSignAsync(mpi, id, signed.Value!, ct);
        return await merges.CompleteAsync(mpi, id, signed.Value!, ct);
    }

    /// <summary>The patient says the two numbers are not both theirs.</summary>
    public async Task<Result<MergeRequestView, StewardError>> DeclineAsync(ClaimsPrincipal patient, int id, CancellationToken ct = default)
        => await MpiAsync(patient) is { } mpi
            ? await merges.DeclineAsync(mpi, id, ct)
            : Result.Fail(StewardError.Forbidden, "Only the patient answers a merge of their numbers.");

    private async Task<string?> MpiAsync(ClaimsPrincipal patient) => (await profiles.MineAsync(patient))?.MpiNumber;
}
