using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Features.Facilities;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Features.Admission;

/// <summary>
/// An application waiting for its proof of work. The server made the facility's node key and the exact
/// <c>node.register</c> body and keeps both here, in the circuit's memory; the applicant's browser only receives the
/// hashcash puzzle (<see cref="Prefix"/>, <see cref="Suffix"/>, <see cref="PowBits"/>) and answers with a counter, which
/// <see cref="NodeRegistrations.SubmitAsync"/> checks against these very bytes. A body the browser made up could not be
/// submitted: there is no way to hand one in. Disposing a draft that was not submitted forgets its key.
/// </summary>
public sealed class JoinDraft : IDisposable
{
    internal JoinDraft(HealthFacility facility, LedgerKeyPair key, JsonObject body, int powBits)
    {
        Facility = facility;
        Key = key;
        Body = body;
        PowBits = powBits;
        var (prefix, suffix) = ProofOfWork.Challenge(TxType.NodeRegister, body);
        // Canonical JSON is UTF-8, so the text round-trips exactly; the worker encodes it back to these bytes.
        Prefix = Encoding.UTF8.GetString(prefix);
        Suffix = Encoding.UTF8.GetString(suffix);
    }

    /// <summary>The normalised name that will be recorded (what the applicant typed, NFKC and trimmed).</summary>
    public string Name => Facility.Name;

    /// <summary>Canonical <c>{body, type}</c> up to the counter's digits.</summary>
    public string Prefix { get; }

    /// <summary>Canonical <c>{body, type}</c> after the counter's digits.</summary>
    public string Suffix { get; }

    /// <summary>Leading zero bits the transaction id must have (the genesis facility difficulty).</summary>
    public int PowBits { get; }

    /// <summary>Hashes a solver needs on average: 2^<see cref="PowBits"/>.</summary>
    public long ExpectedAttempts => 1L << PowBits;

    internal HealthFacility Facility { get; }

    internal LedgerKeyPair Key { get; }

    internal JsonObject Body { get; }

    /// <summary>Set once a submission has started: a draft is submitted at most once.</summary>
    internal bool Submitted { get; set; }

    /// <summary>True while the key is in the server's key vault, which then owns it (and caches this instance).</summary>
    internal bool KeyKept { get; set; }

    public void Dispose()
    {
        if (!KeyKept) Key.Dispose();
    }
}
