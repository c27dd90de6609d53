using System.Text.Json.Nodes;

namespace HealthPortal.Ledger.Transactions;

/// <summary>Delegations, a child's keyless registration and first key, and the <c>delegation</c> member of delegated acts.</summary>
public sealed partial class TransactionFactory
{
    /// <summary>
    /// delegation.issue: <paramref name="delegate"/> may act for <paramref name="mpi"/> with <paramref name="powers"/>
    /// (<see cref="DelegationPowers"/>) on [from, until). A guardianship names its attesting <paramref name="facility"/>.
    /// </summary>
    public JsonObject DelegationIssueBody(string mpi, string @delegate, IEnumerable<string> powers, long from, long until, string kind, string? facility = null)
    {
        var body = Body();
        body["mpi"] = mpi; body["delegate"] = @delegate; body["kind"] = kind;
        body["powers"] = new JsonArray([.. powers.Select(p => (JsonNode)JsonValue.Create(p))]);
        body["from"] = from; body["until"] = until;
        if (facility is not null) body["facility"] = facility;
        return body;
    }

    /// <inheritdoc cref="DelegationIssueBody"/>
    public Transaction DelegationIssue(string mpi, string @delegate, IEnumerable<string> powers, long from, long until, string kind, string? facility = null)
        => Make(TxType.DelegationIssue, DelegationIssueBody(mpi, @delegate, powers, from, until, kind, facility));

    public JsonObject DelegationRevokeBody(string mpi, string delegation)
    {
        var body = Body();
        body["mpi"] = mpi; body["delegation"] = delegation;
        return body;
    }

    public Transaction DelegationRevoke(string mpi, string delegation) => Make(TxType.DelegationRevoke, DelegationRevokeBody(mpi, delegation));

    /// <summary>patient.register of a child without a key, signed by the registering <paramref name="facility"/> (no proof of work).</summary>
    public Transaction KeylessRegister(string mpi, string demographicsHash, string facility)
    {
        var body = Body();
        body["mpi"] = mpi; body["demographics"] = demographicsHash; body["facility"] = facility;
        return Make(TxType.PatientRegister, body);
    }

    /// <summary>key.add of a child's first key, attested by <paramref name="facility"/> (signed by it and the new key).</summary>
    public Transaction KeyAddAttested(string mpi, Crypto.Jwk key, string facility)
    {
        var body = Body();
        body["mpi"] = mpi; body["key"] = key.ToJson(); body["facility"] = facility;
        return Make(TxType.KeyAdd, body);
    }

    /// <summary>A copy of <paramref name="tx"/>'s body naming the delegation its patient-side signer acts under.</summary>
    public static Transaction OnBehalf(Transaction tx, string delegation)
    {
        var body = (JsonObject)tx.Body.DeepClone();
        body["delegation"] = delegation;
        return Make(tx.Type, body);
    }
}
