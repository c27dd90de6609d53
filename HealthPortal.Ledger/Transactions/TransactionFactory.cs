using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// Builds unsigned transactions of every type with a fresh timestamp and nonce; registrations come with their
/// proof of work solved. Sign the result with <see cref="Transaction.SignWith"/> or in the browser.
/// </summary>
public sealed partial class TransactionFactory(TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public static string NewNonce() => Base64Url.Encode(RandomNumberGenerator.GetBytes(12));

    /// <summary>The common members every body carries.</summary>
    public JsonObject Body() => new() { ["ts"] = _clock.GetUtcNow().ToUnixTimeMilliseconds(), ["nonce"] = NewNonce() };

    private static Transaction Make(string type, JsonObject body) => Transaction.Create(type, body).ValueOrThrow();

    /// <summary>The body of a node's registration before its proof of work (pow "0"), for a solver elsewhere.</summary>
    public JsonObject NodeRegisterBody(Jwk key, string kind, string name, string endpoint)
    {
        var body = Body();
        body["key"] = key.ToJson(); body["kind"] = kind; body["name"] = name; body["endpoint"] = endpoint; body["pow"] = "0";
        return body;
    }

    public Transaction NodeRegister(Jwk key, string kind, string name, string endpoint, int powBits, CancellationToken ct = default, IProgress<long>? progress = null)
        => Make(TxType.NodeRegister, ProofOfWork.Solve(TxType.NodeRegister, NodeRegisterBody(key, kind, name, endpoint), powBits, ct, progress));

    public Transaction NodeApprove(string node) => Make(TxType.NodeApprove, With(Body(), ("node", node)));
    /// <param name="reason">A <see cref="NodeDecisionReasons"/> code.</param>
    /// <param name="reasonHash">The <see cref="HealthPortal.Ledger.Text.TextCommitment"/> hash of the admin's words, if any (required for "other").</param>
    public Transaction NodeReject(string node, string reason, string? reasonHash = null) => Make(TxType.NodeReject, Decision(node, reason, reasonHash));

    /// <inheritdoc cref="NodeReject"/>
    public Transaction NodeRevoke(string node, string reason, string? reasonHash = null) => Make(TxType.NodeRevoke, Decision(node, reason, reasonHash));

    private JsonObject Decision(string node, string reason, string? reasonHash)
    {
        var body = With(Body(), ("node", node), ("reason", reason));
        if (reasonHash is not null) body["reasonHash"] = reasonHash;
        return body;
    }

    /// <summary>The body a patient's browser signs (after solving its proof of work); also usable server-side.</summary>
    public JsonObject PatientRegisterBody(Jwk key, string mpi, string demographicsHash)
    {
        var body = Body();
        body["key"] = key.ToJson(); body["mpi"] = mpi; body["demographics"] = demographicsHash; body["pow"] = "0";
        return body;
    }

    /// <summary>A registration whose first key is the wallet <paramref name="wallet"/> (EIP-55), proof of work "0" until solved.</summary>
    public JsonObject PatientRegisterWalletBody(string wallet, string mpi, string demographicsHash)
    {
        var body = Body();
        body["wallet"] = wallet; body["mpi"] = mpi; body["demographics"] = demographicsHash; body["pow"] = "0";
        return body;
    }

    public Transaction PatientRegister(Jwk key, string mpi, string demographicsHash, int powBits, CancellationToken ct = default)
        => Make(TxType.PatientRegister, ProofOfWork.Solve(TxType.PatientRegister, PatientRegisterBody(key, mpi, demographicsHash), powBits, ct));

    public Transaction KeyAdd(string mpi, Jwk key)
    {
        var body = With(Body(), ("mpi", mpi));
        body["key"] = key.ToJson();
        return Make(TxType.KeyAdd, body);
    }

    /// <summary>key.add for an Ethereum wallet (EIP-55 <paramref name="wallet"/>), to be signed by an existing key and the wallet.</summary>
    public Transaction KeyAddWallet(string mpi, string wallet) => Make(TxType.KeyAdd, With(Body(), ("mpi", mpi), ("wallet", wallet)));

    public Transaction KeyRevoke(string mpi, string kid) => Make(TxType.KeyRevoke, With(Body(), ("mpi", mpi), ("kid", kid)));

    public Transaction KeyRecover(string mpi, Jwk key, string facility)
    {
        var body = With(Body(), ("mpi", mpi), ("facility", facility));
        body["key"] = key.ToJson();
        return Make(TxType.KeyRecover, body);
    }

    /// <summary>key.recover to an Ethereum wallet (EIP-55 <paramref name="wallet"/>): the patient's keys are replaced by that wallet.</summary>
    public Transaction KeyRecoverWallet(string mpi, string wallet, string facility)
        => Make(TxType.KeyRecover, With(Body(), ("mpi", mpi), ("facility", facility), ("wallet", wallet)));

    /// <summary>admin.add of the wallet <paramref name="wallet"/> (EIP-55), to be signed by an active admin and by the wallet.</summary>
    public Transaction AdminAdd(string wallet) => Make(TxType.AdminAdd, With(Body(), ("wallet", wallet)));

    /// <summary>admin.revoke of <paramref name="admin"/> (a key thumbprint or a wallet address), signed by another active admin.</summary>
    public Transaction AdminRevoke(string admin) => Make(TxType.AdminRevoke, With(Body(), ("admin", admin)));

    /// <param name="supersedes">For a correction, "facility id/record id" of the version it replaces; null leaves the member out.</param>
    public Transaction RecordAnchor(string mpi, string facility, string record, string category, string date, string hash, string link, string? supersedes = null)
    {
        var body = With(Body(), ("mpi", mpi), ("facility", facility), ("record", record), ("category", category),
            ("date", date), ("hash", hash), ("link", link));
        if (supersedes is not null) body["supersedes"] = supersedes;
        return Make(TxType.RecordAnchor, body);
    }

    /// <summary>record.retract of <paramref name="record"/>, signed by <paramref name="facility"/>, the facility that anchored it.</summary>
    /// <param name="reason">A <see cref="RetractReasons"/> code.</param>
    public Transaction RecordRetract(string facility, string record, string reason)
        => Make(TxType.RecordRetract, With(Body(), ("facility", facility), ("record", record), ("reason", reason)));

    /// <param name="purpose">A <see cref="Purposes"/> code.</param>
    /// <param name="purposeHash">For "other", the <see cref="HealthPortal.Ledger.Text.TextCommitment"/> hash of the patient's words.</param>
    public Transaction GrantIssue(string mpi, string facility, IEnumerable<string> categories, string purpose, long notBefore, long expiresAt, string? purposeHash = null)
    {
        var body = With(Body(), ("mpi", mpi), ("facility", facility), ("purpose", purpose));
        if (purposeHash is not null) body["purposeHash"] = purposeHash;
        body["categories"] = new JsonArray([.. categories.Select(c => (JsonNode)JsonValue.Create(c))]);
        body["notBefore"] = notBefore;
        body["expiresAt"] = expiresAt;
        return Make(TxType.GrantIssue, body);
    }

    public Transaction GrantRevoke(string mpi, string grant) => Make(TxType.GrantRevoke, With(Body(), ("mpi", mpi), ("grant", grant)));

    /// <param name="breakGlass">Null for a read under <paramref name="grant"/>; else the <see cref="BreakGlassReasons"/> code and the <see cref="HealthPortal.Ledger.Text.TextCommitment"/> hash of the reason typed.</param>
    /// <param name="purpose">A <see cref="Purposes"/> code.</param>
    public Transaction AccessLog(string facility, string staff, string mpi, IEnumerable<string> records, string? grant, BreakGlassBasis? breakGlass, string purpose)
    {
        var body = With(Body(), ("facility", facility), ("staff", staff), ("mpi", mpi), ("purpose", purpose));
        body["records"] = new JsonArray([.. records.Select(r => (JsonNode)JsonValue.Create(r))]);
        if (grant is not null) body["grant"] = grant;
        if (breakGlass is { } b)
        {
            body["breakGlass"] = b.Code;
            body["breakGlassHash"] = b.TextHash;
        }
        return Make(TxType.AccessLog, body);
    }

    private static JsonObject With(JsonObject body, params (string Name, string Value)[] members)
    {
        foreach (var (name, value) in members) body[name] = value;
        return body;
    }
}
