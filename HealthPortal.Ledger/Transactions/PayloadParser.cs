using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Text;

namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// Structural validation of bodies: every member present with the right kind and format, and no member that the
/// schema does not name (so nothing — personal data in particular — rides along unnoticed). Stateless.
/// No member holds text a person typed: explanations travel as a code from a closed set (<see cref="BreakGlassReasons"/>,
/// <see cref="NodeDecisionReasons"/>, <see cref="Purposes"/>) plus the hash of the words, which stay off the ledger; the
/// only text members are a facility's public name and endpoint, held to <see cref="SafeText"/> and a length.
/// The field-by-field account is <c>docs/ledger-fields.md</c>.
/// </summary>
public static partial class PayloadParser
{
    public const int MaxText = 200;
    public const int MaxLongText = 1000;
    public const int MaxListItems = 500;
    /// <summary>The longest record id (record.anchor <c>record</c>).</summary>
    public const int MaxRecordId = 128;

    public static Result<TxPayload> Parse(Transaction tx)
    {
        var r = new Reader(tx.Body);
        var common = r.Common();
        if (!common.IsValid) return Result<TxPayload>.Fail(common);
        TxPayload? payload = tx.Type switch
        {
            TxType.NodeRegister => r.Allow("pow", "key", "kind", "name", "endpoint") is { } ? new NodeRegisterPayload(r.Key("key"), r.Kind("kind"), r.Text("name", MaxText), r.Endpoint("endpoint")) : null,
            TxType.NodeApprove => r.Allow("node") is { } ? new NodeDecisionPayload(r.Id("node"), null) : null,
            TxType.NodeReject or TxType.NodeRevoke => r.Allow("node", "reason", "reasonHash") is { } ? r.Decision() : null,
            // A registration naming a facility is a keyless one (a child; DelegationPayloads.cs): no key, no proof of work.
            TxType.PatientRegister when tx.Body.ContainsKey("facility") => r.Allow("mpi", "demographics", "facility") is { } ? r.KeylessRegister() : null,
            TxType.PatientRegister => r.Allow("pow", "key", "wallet", "mpi", "demographics") is { } ? r.PatientRegister() : null,
            TxType.KeyAdd => r.Allow("mpi", "key", "wallet", "delegation", "facility") is { } ? r.KeyAdd() : null,
            TxType.KeyRevoke => r.Allow("mpi", "kid", "delegation") is { } ? new KeyRevokePayload(r.Mpi("mpi"), r.KeyId("kid"), r.OptionalId("delegation")) : null,
            TxType.KeyRecover => r.Allow("mpi", "key", "wallet", "facility") is { } ? r.KeyRecover() : null,
            TxType.AdminAdd => r.Allow("wallet") is { } ? new AdminAddPayload(r.Wallet("wallet")) : null,
            TxType.AdminRevoke => r.Allow("admin") is { } ? new AdminRevokePayload(r.KeyId("admin")) : null,
            TxType.RecordAnchor => r.Allow("mpi", "facility", "record", "category", "date", "hash", "link", "supersedes", "delegation") is { } ? r.Anchor() : null,
            TxType.GrantIssue => r.Allow("mpi", "facility", "categories", "purpose", "purposeHash", "notBefore", "expiresAt", "delegation") is { }
                ? r.Grant()
                : null,
            TxType.GrantRevoke => r.Allow("mpi", "grant", "delegation") is { } ? new GrantRevokePayload(r.Mpi("mpi"), r.Id("grant"), r.OptionalId("delegation")) : null,
            TxType.AccessLog => r.Allow("facility", "staff", "mpi", "records", "grant", "breakGlass", "breakGlassHash", "purpose") is { } ? r.Access() : null,
            TxType.DelegationIssue => r.Allow("mpi", "delegate", "powers", "from", "until", "kind", "facility") is { } ? r.DelegationIssue() : null,
            TxType.DelegationRevoke => r.Allow("mpi", "delegation") is { } ? new DelegationRevokePayload(r.Mpi("mpi"), r.Id("delegation")) : null,
            TxType.RecordRetract => r.Allow("facility", "record", "reason") is { } ? r.Retract() : null,
            TxType.PatientMerge => r.Allow("retired", "surviving", "facility", "reason") is { } ? r.Merge() : null,
            TxType.PatientSplit => r.Allow("retired", "surviving", "facility", "reason") is { } ? r.Split() : null,
            _ => null,
        };
        if (r.Error is { } error) return Result<TxPayload>.Fail(error);
        return payload is null
            ? Result<TxPayload>.Fail(LedgerError.UnknownType, $"unknown transaction type '{tx.Type}'")
            : Result<TxPayload>.Ok(payload);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")] private static partial Regex IdPattern();
    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}$")] private static partial Regex NoncePattern();
    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{3,31}$")] private static partial Regex MpiPattern();
    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")] private static partial Regex CategoryPattern();
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:/-]*$")] private static partial Regex TokenPattern();
    [GeneratedRegex("^[0-9]{1,20}$")] private static partial Regex PowPattern();
    // A FHIR resource type as record.anchor's link names it (Encounter, Observation, MedicationRequest…).
    [GeneratedRegex("^[A-Z][A-Za-z]{1,63}$")] private static partial Regex ResourceTypePattern();

    // "facility id/record id" as access.log names a record. The facility part is an id (base64url, which may begin
    // with '-' or '_'), not a token: checking the whole reference as a token refused the records of every facility
    // whose key thumbprint begins with one of those (one key in 32). The record part is what record.anchor accepts.
    [GeneratedRegex("^[A-Za-z0-9_-]{43}/[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")] private static partial Regex RecordReferencePattern();

    /// <summary>Collects the first error; later reads after an error return placeholders and are discarded.</summary>
    private sealed partial class Reader(JsonObject body)
    {
        private static readonly string[] CommonMembers = ["ts", "nonce"];

        /// <summary>The body, for the members read in the other part of this class (PayloadParser.Delegation.cs).</summary>
        private JsonObject Members => body;
        public Validation? Error { get; private set; }

        private void Fail(LedgerError code, string message) => Error ??= Validation.Fail(code, message);

        public Validation Common()
        {
            if (body["ts"] is not JsonValue tsValue || !tsValue.TryGetValue<long>(out var ts))
                return Validation.Fail(LedgerError.MissingField, "$.body.ts: an integer timestamp (Unix milliseconds) is required");
            if (ts <= 0)
                return Validation.Fail(LedgerError.InvalidField, "$.body.ts: must be positive Unix milliseconds");
            if (body["nonce"] is not JsonValue nonceValue || !nonceValue.TryGetValue<string>(out var nonce))
                return Validation.Fail(LedgerError.MissingNonce, "$.body.nonce: a nonce (8–64 base64url characters) is required");
            if (!NoncePattern().IsMatch(nonce))
                return Validation.Fail(LedgerError.MissingNonce, "$.body.nonce: must be 8–64 base64url characters");
            return Validation.Ok;
        }

        public object? Allow(params string[] members)
        {
            foreach (var (name, _) in body)
            {
                if (Array.IndexOf(CommonMembers, name) < 0 && Array.IndexOf(members, name) < 0)
                {
                    Fail(LedgerError.InvalidField, $"$.body.{name}: not part of this transaction type");
                    return null;
                }
            }
            if (Array.IndexOf(members, "pow") >= 0 && (body["pow"] is not JsonValue p || !p.TryGetValue<string>(out var pow) || !PowPattern().IsMatch(pow)))
            {
                Fail(LedgerError.InsufficientProofOfWork, "$.body.pow: a proof-of-work counter (decimal string) is required");
                return null;
            }
            return this;
        }

        private string? RawString(string name, bool optional = false)
        {
            if (body[name] is null)
            {
                if (!optional) Fail(LedgerError.MissingField, $"$.body.{name}: required");
                return null;
            }
            if (body[name] is JsonValue v && v.TryGetValue<string>(out var s)) return s;
            Fail(LedgerError.InvalidField, $"$.body.{name}: must be a string");
            return null;
        }

        private string Matching(string name, Regex pattern, string what)
        {
            var s = RawString(name);
            if (s is null) return "";
            if (!pattern.IsMatch(s)) Fail(LedgerError.InvalidField, $"$.body.{name}: must be {what}");
            return s;
        }

        public string Id(string name) => Matching(name, IdPattern(), "a key or transaction id (43 base64url characters)");
        public string Hash(string name) => Matching(name, IdPattern(), "a SHA-256 hash (43 base64url characters)");
        public string Mpi(string name) => Matching(name, MpiPattern(), "an MPI number (4–32 characters A–Z, 0–9 and '-')");
        public string Category(string name) => Matching(name, CategoryPattern(), "a category (lowercase letters, digits, '-')");

        public string Token(string name, int max)
        {
            var s = Matching(name, TokenPattern(), "letters, digits and . _ : / -");
            if (s.Length > max) Fail(LedgerError.InvalidField, $"$.body.{name}: at most {max} characters");
            return s;
        }

        /// <summary>
        /// A text member: 1–<paramref name="max"/> characters, single line, and <see cref="SafeText"/> (no control,
        /// bidi, invisible, private-use or unassigned characters), with no white space at either end. Only for text that
        /// is public by nature (a facility's name); anything a person writes about a patient or a decision is a code.
        /// </summary>
        public string Text(string name, int max)
        {
            var s = RawString(name);
            if (s is null) return "";
            if (s.Length == 0 || s.Length > max) Fail(LedgerError.InvalidField, $"$.body.{name}: 1–{max} characters");
            else if (SafeText.Check(s) is { } problem) Fail(LedgerError.UnsafeText, $"$.body.{name}: {problem}");
            else if (s.Trim().Length != s.Length) Fail(LedgerError.InvalidField, $"$.body.{name}: no white space at either end");
            return s;
        }

        /// <summary>A code from a closed set (<see cref="BreakGlassReasons"/>, <see cref="NodeDecisionReasons"/>, <see cref="Purposes"/>): never free text.</summary>
        public string Code(string name, Func<string?, bool> known, IReadOnlyList<string> all)
        {
            var s = RawString(name);
            if (s is null) return "";
            if (!known(s)) Fail(LedgerError.UnknownCode, $"$.body.{name}: must be one of {string.Join(", ", all)}");
            return s;
        }

        public string Kind(string name)
        {
            var s = RawString(name) ?? "";
            if (Error is null && !NodeKind.IsValid(s)) Fail(LedgerError.InvalidField, $"$.body.{name}: must be hospital, clinic or laboratory");
            return s;
        }

        /// <summary>
        /// A facility's base URL: absolute http(s), a host, a path at most; no user name or password, query or
        /// fragment (nothing but where the node answers).
        /// </summary>
        public string Endpoint(string name)
        {
            var s = Text(name, MaxLongText);
            if (Error is not null) return s;
            if (!System.Uri.TryCreate(s, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                Fail(LedgerError.InvalidField, $"$.body.{name}: must be an absolute http(s) URL");
            else if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || s.Contains('?') || s.Contains('#') || s.Contains('@'))
                Fail(LedgerError.InvalidField, $"$.body.{name}: a base URL without user name, query or fragment");
            return s;
        }

        public string Date(string name)
        {
            var s = RawString(name) ?? "";
            if (Error is null && !DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                Fail(LedgerError.InvalidField, $"$.body.{name}: must be a date YYYY-MM-DD");
            return s;
        }

        public long Long(string name)
        {
            if (body[name] is JsonValue v && v.TryGetValue<long>(out var n)) return n;
            Fail(body[name] is null ? LedgerError.MissingField : LedgerError.InvalidField, $"$.body.{name}: an integer is required");
            return 0;
        }

        /// <summary>patient.register: a JWK <c>key</c> or a <c>wallet</c> address in its EIP-55 spelling, never both.</summary>
        public PatientRegisterPayload PatientRegister()
        {
            var mpi = Mpi("mpi");
            var demographics = Hash("demographics");
            if (body.ContainsKey("wallet"))
            {
                if (body.ContainsKey("key")) Fail(LedgerError.InvalidField, "$.body: patient.register registers a key or a wallet, not both");
                return new PatientRegisterPayload(null, mpi, demographics, Wallet("wallet"));
            }
            return new PatientRegisterPayload(Key("key"), mpi, demographics);
        }

        /// <summary>
        /// key.add: a JWK <c>key</c> or a <c>wallet</c> address in its EIP-55 spelling, never both; optionally the
        /// <c>delegation</c> a delegate signs under or the <c>facility</c> attesting a child's first key, never both.
        /// </summary>
        public KeyAddPayload KeyAdd()
        {
            var mpi = Mpi("mpi");
            var delegation = OptionalId("delegation");
            var facility = OptionalId("facility");
            if (delegation is not null && facility is not null)
                Fail(LedgerError.InvalidField, "$.body: key.add is signed for the patient by a delegate or attested by a facility, not both");
            if (body.ContainsKey("wallet"))
            {
                if (body.ContainsKey("key")) Fail(LedgerError.InvalidField, "$.body: key.add adds a key or a wallet, not both");
                return new KeyAddPayload(mpi, null, Wallet("wallet"), delegation, facility);
            }
            return new KeyAddPayload(mpi, Key("key"), null, delegation, facility);
        }

        /// <summary>key.recover: the new JWK <c>key</c> or a <c>wallet</c> address in its EIP-55 spelling, never both.</summary>
        public KeyRecoverPayload KeyRecover()
        {
            var mpi = Mpi("mpi");
            var facility = Id("facility");
            if (body.ContainsKey("wallet"))
            {
                if (body.ContainsKey("key")) Fail(LedgerError.InvalidField, "$.body: key.recover moves the patient to a key or a wallet, not both");
                return new KeyRecoverPayload(mpi, null, facility, Wallet("wallet"));
            }
            return new KeyRecoverPayload(mpi, Key("key"), facility);
        }

        /// <summary>
        /// A patient key id: a JWK thumbprint or a wallet's EIP-55 address. A thumbprint is 43 base64url characters and
        /// may itself begin with "0x" (one key in 4,096), so only a "0x" id of another length is read as an address
        /// (a mistyped address still gets the address's error message).
        /// </summary>
        public string KeyId(string name)
            => body[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith("0x", StringComparison.Ordinal) && s.Length != ThumbprintLength
                ? Wallet(name)
                : Id(name);

        private const int ThumbprintLength = 43;

        public string Wallet(string name)
        {
            if (body[name] is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                Fail(body[name] is null ? LedgerError.MissingField : LedgerError.InvalidField, $"$.body.{name}: a wallet address string is required");
                return "";
            }
            if (!Crypto.Wallet.EthereumAddress.TryParse(text, out var address, out var error))
                Fail(LedgerError.InvalidField, $"$.body.{name}: {error}");
            else if (address.ToString() != text)
                Fail(LedgerError.InvalidField, $"$.body.{name}: write the address in its EIP-55 spelling, {address}");
            return text;
        }

        public Jwk Key(string name)
        {
            if (!Jwk.TryParse(body[name], out var jwk, out var error))
            {
                Fail(body[name] is null ? LedgerError.MissingField : LedgerError.InvalidField, $"$.body.{name}: {error}");
                return new Jwk("EC", "P-256", "", "");
            }
            if (body[name] is JsonObject o && o.Count != 4)
                Fail(LedgerError.InvalidField, $"$.body.{name}: only crv, kty, x and y may be present");
            return jwk!;
        }

        public IReadOnlyList<string> List(string name, Func<string, bool> valid, string what, bool allowEmpty = false)
        {
            if (body[name] is not JsonArray array)
            {
                Fail(body[name] is null ? LedgerError.MissingField : LedgerError.InvalidField, $"$.body.{name}: an array is required");
                return [];
            }
            if ((!allowEmpty && array.Count == 0) || array.Count > MaxListItems)
            {
                Fail(LedgerError.InvalidField, $"$.body.{name}: 1–{MaxListItems} items");
                return [];
            }
            var items = new List<string>(array.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonValue v || !v.TryGetValue<string>(out var s) || !valid(s))
                {
                    Fail(LedgerError.InvalidField, $"$.body.{name}[{i}]: must be {what}");
                    return [];
                }
                if (!seen.Add(s))
                {
                    Fail(LedgerError.InvalidField, $"$.body.{name}[{i}]: '{s}' is listed twice");
                    return [];
                }
                items.Add(s);
            }
            return items;
        }

        /// <summary>An optional hash member, required when <paramref name="required"/>.</summary>
        private string? HashIf(string name, bool required, string why)
        {
            if (body[name] is null)
            {
                if (required) Fail(LedgerError.MissingField, $"$.body.{name}: required {why}");
                return null;
            }
            return Hash(name);
        }

        public NodeDecisionPayload Decision()
        {
            var node = Id("node");
            var reason = Code("reason", NodeDecisionReasons.IsValid, NodeDecisionReasons.All);
            var hash = HashIf("reasonHash", reason == NodeDecisionReasons.Other, "when the reason is \"other\" (the hash of the admin's words)");
            return new NodeDecisionPayload(node, reason, hash);
        }

        public RecordAnchorPayload Anchor()
        {
            var mpi = Mpi("mpi");
            var facility = Id("facility");
            var record = Token("record", MaxRecordId);
            var category = Category("category");
            var date = Date("date");
            var hash = Hash("hash");
            // The link is derived from the record, so it can carry nothing the record id does not: "{ResourceType}/{record}".
            var link = RawString("link") ?? "";
            var slash = link.IndexOf('/');
            if (Error is null && (slash <= 0 || !ResourceTypePattern().IsMatch(link[..slash]) || link[(slash + 1)..] != record))
                Fail(LedgerError.InvalidField, "$.body.link: must be \"{FHIR resource type}/{record}\" for this record");
            // Optional, and only ever written when present: an anchor without it keeps its exact canonical bytes.
            string? supersedes = null;
            if (body["supersedes"] is not null)
            {
                supersedes = RawString("supersedes");
                if (Error is null && (supersedes is null || !RecordReferencePattern().IsMatch(supersedes)))
                    Fail(LedgerError.InvalidField, "$.body.supersedes: must be \"{facility id}/{record id}\" of the record this one corrects");
            }
            return new RecordAnchorPayload(mpi, facility, record, category, date, hash, link, supersedes, OptionalId("delegation"));
        }

        public GrantIssuePayload Grant()
        {
            var mpi = Mpi("mpi");
            var facility = Id("facility");
            var categories = List("categories", CategoryPattern().IsMatch, "a category (lowercase letters, digits, '-')");
            var purpose = Code("purpose", Purposes.IsValid, Purposes.All);
            var purposeHash = Error is null && purpose != Purposes.Other && body["purposeHash"] is not null
                ? FailWith<string?>(LedgerError.InvalidField, "$.body.purposeHash: only with the purpose \"other\"", null)
                : HashIf("purposeHash", purpose == Purposes.Other, "when the purpose is \"other\" (the hash of the patient's words)");
            var notBefore = Long("notBefore");
            var expiresAt = Long("expiresAt");
            if (Error is null && expiresAt <= notBefore)
                Fail(LedgerError.InvalidField, "$.body.expiresAt: must be after notBefore");
            return new GrantIssuePayload(mpi, facility, categories, purpose, notBefore, expiresAt, purposeHash, OptionalId("delegation"));
        }

        public AccessLogPayload Access()
        {
            var facility = Id("facility");
            var staff = Token("staff", 64);
            var mpi = Mpi("mpi");
            var records = List("records", RecordReferencePattern().IsMatch, "a record reference (facility id/record id)", allowEmpty: true);
            var grant = body["grant"] is null ? null : Id("grant");
            var breakGlass = body["breakGlass"] is null ? null : Code("breakGlass", BreakGlassReasons.IsValid, BreakGlassReasons.All);
            string? breakGlassHash = null;
            if (breakGlass is not null) breakGlassHash = HashIf("breakGlassHash", true, "with a break-glass reason (the hash of the staff member's words)");
            else if (body["breakGlassHash"] is not null) Fail(LedgerError.InvalidField, "$.body.breakGlassHash: only with a break-glass reason");
            var purpose = Code("purpose", Purposes.IsValid, Purposes.All);
            if (Error is null && (grant is null) == (breakGlass is null))
                Fail(LedgerError.AccessWithoutBasis, "$.body: an access names exactly one basis, a grant or a break-glass reason");
            return new AccessLogPayload(facility, staff, mpi, records, grant, breakGlass, purpose, breakGlassHash);
        }

        public RecordRetractPayload Retract()
        {
            var facility = Id("facility");
            var record = Token("record", MaxRecordId);
            var reason = Code("reason", RetractReasons.IsValid, RetractReasons.All);
            return new RecordRetractPayload(facility, record, reason);
        }

        private T FailWith<T>(LedgerError code, string message, T placeholder)
        {
            Fail(code, message);
            return placeholder;
        }
    }
}
