using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>
/// The ledger's rules, enforced by the engine for every transaction in block order, identically when sealing and on
/// replay. <see cref="Apply"/> either refuses (and changes nothing) or applies every effect to the overlay.
/// </summary>
public sealed partial class TransactionRules(PublicKeyCache keyCache, IRecordLookup records)
{
    public const int MaxKeysPerPatient = 10;

    public Validation Apply(ParsedTransaction ptx, StateOverlay state, BlockContext block)
    {
        var tx = ptx.Tx;
        var parameters = state.Committed.Genesis.Parameters;
        if (Math.Abs(tx.Timestamp - block.Timestamp) > parameters.MaxSkewMs)
            return Fail(LedgerError.TimestampOutOfRange, $"$.body.ts: {tx.Timestamp} is more than {parameters.MaxSkewMs} ms from its block's time {block.Timestamp}");

        var signatures = CheckSignatures(ptx, state);
        if (!signatures.IsValid) return signatures;
        if (NotRetired(ptx.Payload, state) is { IsValid: false } retired) return retired;

        return ptx.Payload switch
        {
            NodeRegisterPayload p => NodeRegister(tx, p, state, block, parameters.FacilityPowBits),
            NodeDecisionPayload p => NodeDecision(tx, p, state, block),
            PatientRegisterPayload p => PatientRegister(tx, p, state, block),
            KeyAddPayload p => KeyAdd(tx, p, state, block),
            KeyRevokePayload p => KeyRevoke(tx, p, state, block),
            KeyRecoverPayload p => KeyRecover(tx, p, state, block),
            RecordAnchorPayload p => RecordAnchor(tx, p, state, block),
            GrantIssuePayload p => GrantIssue(tx, p, state, block, parameters.MaxGrantDays),
            GrantRevokePayload p => GrantRevoke(tx, p, state, block),
            AccessLogPayload p => AccessLog(tx, p, state, block),
            AdminAddPayload p => AdminAdd(tx, p, state, block),
            AdminRevokePayload p => AdminRevoke(tx, p, state, block),
            DelegationIssuePayload p => DelegationIssue(tx, p, state, block),
            DelegationRevokePayload p => DelegationRevoke(tx, p, state, block),
            KeylessRegisterPayload p => KeylessRegister(tx, p, state, block),
            RecordRetractPayload p => RecordRetract(tx, p, state, block),
            PatientMergePayload p => PatientMerge(tx, p, state, block),
            PatientSplitPayload p => PatientSplit(tx, p, state, block),
            _ => Fail(LedgerError.UnknownType, $"no rule for {tx.Type}"),
        };
    }

    /// <summary>Verifies signatures the stateless pass could not (keys registered in the same block).</summary>
    private Validation CheckSignatures(ParsedTransaction ptx, StateOverlay state)
    {
        var tx = ptx.Tx;
        for (var i = 0; i < tx.Signatures.Count; i++)
        {
            if (ptx.Verified[i]) continue;
            var sig = tx.Signatures[i];
            if (sig.IsWallet)
            {
                if (WalletSignatures.Check(tx, ptx.Payload, i, state, ptx.WalletDigests?[i]) is { IsValid: false } wallet) return wallet;
                ptx.Verified[i] = true;
                continue;
            }
            var jwk = StatelessValidator.EmbeddedKey(ptx.Payload, sig.Kid) ?? state.ResolveKey(sig.Kid);
            if (jwk is null) return Fail(LedgerError.UnknownSigner, $"$.signatures[{i}]: key {sig.Kid} is not known to the ledger");
            if (!keyCache.Verify(jwk, tx.SigningBytes, sig.Signature))
                return Fail(LedgerError.BadSignature, $"$.signatures[{i}]: signature by {sig.Kid} does not verify");
            ptx.Verified[i] = true;
        }
        return Validation.Ok;
    }

    // ---- signer roles -------------------------------------------------------------------------------------------

    private static Validation ExpectSigners(Transaction tx, int count, string who)
        => tx.Signatures.Count == count
            ? Validation.Ok
            : Fail(tx.Signatures.Count < count ? LedgerError.MissingSignature : LedgerError.UnexpectedSignature,
                $"{tx.Type} is signed by {who}; found {tx.Signatures.Count} signature(s)");

    private static Validation ActivePatientKey(StateOverlay state, string mpi, string kid)
    {
        var key = state.Key(kid);
        // A key of a number merged into this one signs for it only when the merge carried keys over (MergeRules.cs).
        if (key is null || (key.Mpi != mpi && !state.KeysCarriedTo(key.Mpi, mpi))) return Fail(LedgerError.SignerNotAuthorized, $"key {kid} is not a key of patient {mpi}");
        if (!key.IsActive) return Fail(LedgerError.RevokedKey, $"key {kid} was revoked at height {key.RevokedHeight} and signs nothing");
        return Validation.Ok;
    }

    private static Validation ApprovedFacility(StateOverlay state, string nodeId)
    {
        var node = state.Node(nodeId);
        if (node is null) return Fail(LedgerError.UnknownNode, $"facility {nodeId} is not registered");
        if (node.Status != NodeStatus.Approved) return Fail(LedgerError.NodeNotApproved, $"facility {nodeId} is {node.Status.ToString().ToLowerInvariant()}, not approved");
        return Validation.Ok;
    }

    private static bool KeyInUse(StateOverlay state, string kid)
        => state.Admin(kid) is not null || state.Node(kid) is not null || state.Key(kid) is not null;

    /// <summary>The signer of an admin transaction is an active consortium admin (ES256 key or wallet).</summary>
    private static Validation ActiveAdmin(StateOverlay state, string kid, string what)
    {
        var admin = state.Admin(kid);
        if (admin is null) return Fail(LedgerError.SignerNotAuthorized, $"{what} must be signed by a consortium admin; {kid} is not one");
        if (!admin.IsActive) return Fail(LedgerError.RevokedAdmin, $"admin {kid} was revoked at height {admin.RevokedHeight} and signs nothing");
        return Validation.Ok;
    }

    // ---- nodes --------------------------------------------------------------------------------------------------

    private static Validation NodeRegister(Transaction tx, NodeRegisterPayload p, StateOverlay state, BlockContext block, int powBits)
    {
        var kid = p.Key.Thumbprint();
        if (ExpectSigners(tx, 1, "the registering node's own key") is { IsValid: false } s) return s;
        if (tx.Signatures[0].Kid != kid) return Fail(LedgerError.SignerNotAuthorized, "node.register must be signed by the key it registers");
        if (KeyInUse(state, kid)) return Fail(LedgerError.NodeAlreadyRegistered, $"key {kid} is already registered");
        state.Put(new NodeEntry(kid, p.Key, p.Kind, p.Name, p.Endpoint, NodeStatus.Pending, block.Height, tx.IdText,
            ProofOfWork.LeadingZeroBits(tx.Id), null, null, null, block.Height));
        return Validation.Ok;
    }

    private static Validation NodeDecision(Transaction tx, NodeDecisionPayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "a consortium admin") is { IsValid: false } s) return s;
        var admin = tx.Signatures[0].Kid;
        if (ActiveAdmin(state, admin, tx.Type) is { IsValid: false } a) return a;
        var node = state.Node(p.Node);
        if (node is null) return Fail(LedgerError.UnknownNode, $"node {p.Node} is not registered");
        var (from, to) = tx.Type switch
        {
            TxType.NodeApprove => (NodeStatus.Pending, NodeStatus.Approved),
            TxType.NodeReject => (NodeStatus.Pending, NodeStatus.Rejected),
            _ => (NodeStatus.Approved, NodeStatus.Revoked),
        };
        if (node.Status != from)
            return Fail(from == NodeStatus.Pending ? LedgerError.NodeNotPending : LedgerError.NodeNotApproved,
                $"node {p.Node} is {node.Status.ToString().ToLowerInvariant()}; {tx.Type} needs it {from.ToString().ToLowerInvariant()}");
        state.Put(node with { Status = to, DecidedHeight = block.Height, DecidedBy = admin, Reason = p.Reason, Height = block.Height });
        return Validation.Ok;
    }

    // ---- patients and keys --------------------------------------------------------------------------------------

    private static Validation PatientRegister(Transaction tx, PatientRegisterPayload p, StateOverlay state, BlockContext block)
    {
        var kid = p.NewKid;
        if (ExpectSigners(tx, 1, "the patient's new key") is { IsValid: false } s) return s;
        if (tx.Signatures[0].Kid != kid) return Fail(LedgerError.SignerNotAuthorized, "patient.register must be signed by the key it registers");
        if (state.Patient(p.Mpi) is not null) return Fail(LedgerError.PatientAlreadyRegistered, $"MPI number {p.Mpi} is already registered");
        if (KeyInUse(state, kid)) return Fail(LedgerError.KeyAlreadyRegistered, $"key {kid} is already registered");
        state.Put(new PatientEntry(p.Mpi, p.DemographicsHash, block.Height, tx.IdText, block.Height));
        state.Put(new KeyEntry(kid, p.Key, p.Mpi, block.Height, null, block.Height));
        return Validation.Ok;
    }

    private static Validation KeyAdd(Transaction tx, KeyAddPayload p, StateOverlay state, BlockContext block)
    {
        var newKid = p.NewKid;
        if (state.Patient(p.Mpi) is null) return Fail(LedgerError.UnknownPatient, $"MPI number {p.Mpi} is not registered");
        if (ExpectSigners(tx, 2, "an existing key of the patient and the new key") is { IsValid: false } s) return s;
        var existing = tx.Signatures.FirstOrDefault(x => x.Kid != newKid);
        if (existing is null || tx.Signatures.All(x => x.Kid != newKid))
            return Fail(LedgerError.MissingSignature, "key.add needs the new key's signature (proof of possession) and an existing key's");
        // The existing key's place may be taken by a delegate (the devices power) or, for a child's first key, by a facility.
        if (p.Facility is not null)
        {
            if (FirstKeyAttestation(p, existing.Kid, state) is { IsValid: false } f) return f;
        }
        else if (PatientOrDelegate(tx, p.Mpi, p.Delegation, existing.Kid, state, block) is { IsValid: false } a) return a;
        if (KeyInUse(state, newKid)) return Fail(LedgerError.KeyAlreadyRegistered, $"key {newKid} is already registered");
        if (state.KeysOf(p.Mpi).Count(k => k.IsActive) >= MaxKeysPerPatient)
            return Fail(LedgerError.InvalidField, $"a patient has at most {MaxKeysPerPatient} active keys");
        state.Put(new KeyEntry(newKid, p.Key, p.Mpi, block.Height, null, block.Height));
        RecordDelegatedAct(tx, p.Mpi, p.Delegation, existing.Kid, state, block);
        return Validation.Ok;
    }

    private static Validation KeyRevoke(Transaction tx, KeyRevokePayload p, StateOverlay state, BlockContext block)
    {
        if (state.Patient(p.Mpi) is null) return Fail(LedgerError.UnknownPatient, $"MPI number {p.Mpi} is not registered");
        if (ExpectSigners(tx, 1, "a key of the patient") is { IsValid: false } s) return s;
        if (PatientOrDelegate(tx, p.Mpi, p.Delegation, tx.Signatures[0].Kid, state, block) is { IsValid: false } a) return a;
        var target = state.Key(p.Kid);
        if (target is null || target.Mpi != p.Mpi) return Fail(LedgerError.UnknownKey, $"key {p.Kid} is not a key of patient {p.Mpi}");
        if (!target.IsActive) return Fail(LedgerError.RevokedKey, $"key {p.Kid} is already revoked");
        if (state.KeysOf(p.Mpi).Count(k => k.IsActive) == 1)
            return Fail(LedgerError.LastKey, "the last active key cannot be revoked; use recovery to replace it");
        state.Put(target with { RevokedHeight = block.Height, Height = block.Height });
        RecordDelegatedAct(tx, p.Mpi, p.Delegation, tx.Signatures[0].Kid, state, block);
        return Validation.Ok;
    }

    private static Validation KeyRecover(Transaction tx, KeyRecoverPayload p, StateOverlay state, BlockContext block)
    {
        if (state.Patient(p.Mpi) is null) return Fail(LedgerError.UnknownPatient, $"MPI number {p.Mpi} is not registered");
        if (ExpectSigners(tx, 2, "the verifying facility and a consortium admin") is { IsValid: false } s) return s;
        if (tx.Signatures.All(x => x.Kid != p.Facility)) return Fail(LedgerError.MissingSignature, $"key.recover must be signed by facility {p.Facility}");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        var other = tx.Signatures.First(x => x.Kid != p.Facility).Kid;
        if (ActiveAdmin(state, other, "the co-signature of key.recover") is { IsValid: false } a) return a;
        var newKid = p.NewKid;
        if (KeyInUse(state, newKid)) return Fail(LedgerError.KeyAlreadyRegistered, $"key {newKid} is already registered");
        foreach (var key in state.KeysOf(p.Mpi).Where(k => k.IsActive).ToList())
            state.Put(key with { RevokedHeight = block.Height, Height = block.Height });
        state.Put(new KeyEntry(newKid, p.Key, p.Mpi, block.Height, null, block.Height));
        return Validation.Ok;
    }

    // ---- consortium admins --------------------------------------------------------------------------------------

    private static Validation AdminAdd(Transaction tx, AdminAddPayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 2, "an active consortium admin and the new admin wallet") is { IsValid: false } s) return s;
        if (tx.Signatures.All(x => x.Kid != p.Wallet))
            return Fail(LedgerError.MissingSignature, $"admin.add needs the new wallet {p.Wallet}'s signature (proof of possession) and an admin's");
        var existing = tx.Signatures.First(x => x.Kid != p.Wallet).Kid;
        if (ActiveAdmin(state, existing, "admin.add") is { IsValid: false } a) return a;
        if (state.Admin(p.Wallet) is { } known)
            return Fail(LedgerError.AdminAlreadyRegistered, $"wallet {p.Wallet} is already {(known.IsActive ? "an admin" : "a revoked admin")}; an admin id is never reused");
        // One role per key: a patient's wallet or a facility's key does not become an admin's.
        if (KeyInUse(state, p.Wallet)) return Fail(LedgerError.KeyAlreadyRegistered, $"wallet {p.Wallet} is already a key on the ledger");
        state.Put(new AdminEntry(p.Wallet, null, block.Height, tx.IdText, existing, null, null, block.Height));
        return Validation.Ok;
    }

    private static Validation AdminRevoke(Transaction tx, AdminRevokePayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "an active consortium admin") is { IsValid: false } s) return s;
        var signer = tx.Signatures[0].Kid;
        if (ActiveAdmin(state, signer, "admin.revoke") is { IsValid: false } a) return a;
        var target = state.Admin(p.Admin);
        if (target is null) return Fail(LedgerError.UnknownAdmin, $"{p.Admin} is not a consortium admin");
        if (!target.IsActive) return Fail(LedgerError.RevokedAdmin, $"admin {p.Admin} was already revoked at height {target.RevokedHeight}");
        if (state.ActiveAdminCount() == 1) return Fail(LedgerError.LastAdmin, "the last active consortium admin cannot be revoked; add another first");
        state.Put(target with { RevokedHeight = block.Height, RevokedBy = signer, Height = block.Height });
        return Validation.Ok;
    }

    // ---- records, grants, access --------------------------------------------------------------------------------

    private Validation RecordAnchor(Transaction tx, RecordAnchorPayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 2, "the facility and the patient") is { IsValid: false } s) return s;
        if (tx.Signatures.All(x => x.Kid != p.Facility)) return Fail(LedgerError.MissingSignature, $"record.anchor must be signed by facility {p.Facility}");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        if (state.Patient(p.Mpi) is null) return Fail(LedgerError.UnknownPatient, $"MPI number {p.Mpi} is not registered");
        var patientSigner = tx.Signatures.First(x => x.Kid != p.Facility).Kid;
        if (PatientOrDelegate(tx, p.Mpi, p.Delegation, patientSigner, state, block) is { IsValid: false } a) return a;
        if (state.UncommittedRecord(p.Facility, p.Record) is not null || records.FindRecord(p.Facility, p.Record) is not null)
            return Fail(LedgerError.DuplicateRecord, $"record {p.Record} of facility {p.Facility} is already anchored");
        if (p.Supersedes is not null && Supersession(p, state) is { IsValid: false } v) return v;
        if (p.Supersedes is not null)
            state.Add(new SupersessionEntry(p.Facility, p.Record, p.Supersedes[(p.Supersedes.IndexOf('/') + 1)..], p.Mpi, tx.IdText, block.Height, block.Index));
        state.Add(new RecordEntry(p.Facility, p.Record, p.Mpi, p.Category, p.Date, p.Hash, p.Link, tx.IdText, block.Height, block.Index, tx.Timestamp));
        RecordDelegatedAct(tx, p.Mpi, p.Delegation, patientSigner, state, block);
        return Validation.Ok;
    }

    /// <summary>
    /// A correction replaces an anchored record of the same patient written by the same facility, and only the newest
    /// version: a record superseded already (committed, or earlier in this block or an uncommitted one) is refused, so
    /// the versions of a record always form one chain.
    /// </summary>
    private Validation Supersession(RecordAnchorPayload p, StateOverlay state)
    {
        var reference = p.Supersedes!;
        var slash = reference.IndexOf('/');
        var (facility, record) = (reference[..slash], reference[(slash + 1)..]);
        var old = state.UncommittedRecord(facility, record) ?? records.FindRecord(facility, record);
        if (old is null) return Fail(LedgerError.UnknownSupersededRecord, $"$.body.supersedes: record {reference} is not anchored");
        if (old.Facility != p.Facility)
            return Fail(LedgerError.SupersedesOtherFacility, $"$.body.supersedes: record {reference} belongs to facility {old.Facility}; only it may correct it");
        if (old.Mpi != p.Mpi) return Fail(LedgerError.SupersedesOtherPatient, $"$.body.supersedes: record {reference} is not a record of patient {p.Mpi}");
        var already = state.UncommittedSupersession(facility, record) ?? records.FindSupersession(facility, record);
        if (already is not null)
            return Fail(LedgerError.AlreadySuperseded, $"$.body.supersedes: record {reference} was already replaced by {already.RecordId}; correct that version instead");
        // A withdrawn record stays withdrawn: a correction would bring it back to the timeline under the same patient.
        if ((state.UncommittedRetraction(facility, record) ?? records.FindRetraction(facility, record)) is not null)
            return Fail(LedgerError.AlreadyRetracted, $"$.body.supersedes: record {reference} was retracted; anchor a new record instead");
        return Validation.Ok;
    }

    /// <summary>
    /// A facility withdraws a record it anchored, signed by its own node key alone (the patient's co-signature is not
    /// needed to take a wrong record off their timeline; re-filing it under the right patient is a new anchor they
    /// co-sign). Only the current version of a record, and only once.
    /// </summary>
    private Validation RecordRetract(Transaction tx, RecordRetractPayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "the facility that anchored the record") is { IsValid: false } s) return s;
        if (tx.Signatures[0].Kid != p.Facility)
            return Fail(LedgerError.RetractsOtherFacility, $"record.retract for facility {p.Facility} must be signed by that facility's key");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        var record = state.UncommittedRecord(p.Facility, p.Record) ?? records.FindRecord(p.Facility, p.Record);
        if (record is null)
            return Fail(LedgerError.UnknownRetractedRecord, $"$.body.record: facility {p.Facility} has anchored no record {p.Record}");
        if ((state.UncommittedRetraction(p.Facility, p.Record) ?? records.FindRetraction(p.Facility, p.Record)) is { } done)
            return Fail(LedgerError.AlreadyRetracted, $"$.body.record: record {p.Record} was already retracted at height {(done.Height)}");
        if ((state.UncommittedSupersession(p.Facility, p.Record) ?? records.FindSupersession(p.Facility, p.Record)) is { } newer)
            return Fail(LedgerError.AlreadySuperseded, $"$.body.record: record {p.Record} was replaced by {newer.RecordId}; retract the current version");
        state.Add(new RetractionEntry(p.Facility, p.Record, record.Mpi, p.Reason, tx.IdText, block.Height, block.Index, tx.Timestamp));
        return Validation.Ok;
    }

    private static Validation GrantIssue(Transaction tx, GrantIssuePayload p, StateOverlay state, BlockContext block, int maxDays)
    {
        if (state.Patient(p.Mpi) is null) return Fail(LedgerError.UnknownPatient, $"MPI number {p.Mpi} is not registered");
        if (ExpectSigners(tx, 1, "the patient") is { IsValid: false } s) return s;
        if (PatientOrDelegate(tx, p.Mpi, p.Delegation, tx.Signatures[0].Kid, state, block) is { IsValid: false } a) return a;
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        if (p.ExpiresAt - p.NotBefore > maxDays * 86_400_000L)
            return Fail(LedgerError.GrantTooLong, $"a grant lasts at most {maxDays} days");
        if (p.ExpiresAt <= block.Timestamp) return Fail(LedgerError.GrantNotActive, "the grant has already expired");
        state.Put(new GrantEntry(tx.IdText, p.Mpi, p.Facility, p.Categories, p.Purpose, p.NotBefore, p.ExpiresAt,
            block.Height, block.Timestamp, null, null, block.Height));
        RecordDelegatedAct(tx, p.Mpi, p.Delegation, tx.Signatures[0].Kid, state, block);
        return Validation.Ok;
    }

    private static Validation GrantRevoke(Transaction tx, GrantRevokePayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "the patient") is { IsValid: false } s) return s;
        if (PatientOrDelegate(tx, p.Mpi, p.Delegation, tx.Signatures[0].Kid, state, block) is { IsValid: false } a) return a;
        var grant = state.Grant(p.Grant);
        if (grant is null || grant.Mpi != p.Mpi) return Fail(LedgerError.UnknownGrant, $"grant {p.Grant} is not a grant of patient {p.Mpi}");
        if (grant.RevokedHeight is not null) return Fail(LedgerError.GrantAlreadyRevoked, $"grant {p.Grant} was already revoked at height {grant.RevokedHeight}");
        state.Put(grant with { RevokedHeight = block.Height, RevokedAt = block.Timestamp, Height = block.Height });
        RecordDelegatedAct(tx, p.Mpi, p.Delegation, tx.Signatures[0].Kid, state, block);
        return Validation.Ok;
    }

    private Validation AccessLog(Transaction tx, AccessLogPayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "the accessing facility") is { IsValid: false } s) return s;
        if (tx.Signatures[0].Kid != p.Facility) return Fail(LedgerError.SignerNotAuthorized, "access.log must be signed by the accessing facility");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        if (state.Patient(p.Mpi) is null) return Fail(LedgerError.UnknownPatient, $"MPI number {p.Mpi} is not registered");
        GrantEntry? grant = null;
        if (p.Grant is not null)
        {
            grant = state.Grant(p.Grant);
            // A grant of a number merged into this one still counts when the merge carried it over (MergeRules.cs).
            if (grant is null || (grant.Mpi != p.Mpi && !state.KeysCarriedTo(grant.Mpi, p.Mpi)) || grant.Facility != p.Facility)
                return Fail(LedgerError.UnknownGrant, $"grant {p.Grant} does not give facility {p.Facility} access to patient {p.Mpi}");
            if (!grant.IsActiveAt(tx.Timestamp) || !grant.IsActiveAt(block.Timestamp))
                return Fail(LedgerError.GrantNotActive, $"grant {p.Grant} is not active");
        }
        foreach (var reference in p.Records)
        {
            var slash = reference.IndexOf('/');
            if (slash <= 0) return Fail(LedgerError.InvalidField, $"record reference '{reference}' must be facility/record");
            var key = (reference[..slash], reference[(slash + 1)..]);
            var record = state.UncommittedRecord(key.Item1, key.Item2) ?? records.FindRecord(key.Item1, key.Item2);
            // After a merge the surviving number's reads cover the records anchored under the retired one too.
            if (record is null || (record.Mpi != p.Mpi && state.Survivor(record.Mpi) != p.Mpi)) return Fail(LedgerError.InvalidField, $"record {reference} is not a record of patient {p.Mpi}");
            if (grant is not null && !grant.Covers(record.Category))
                return Fail(LedgerError.GrantDoesNotCover, $"grant {p.Grant} does not cover {record.Category} records");
        }
        state.Add(new AccessEntry(tx.IdText, p.Facility, p.Staff, p.Mpi, p.Records, p.Grant, p.BreakGlass, p.Purpose, tx.Timestamp, block.Height, block.Index));
        return Validation.Ok;
    }

    private static Validation Fail(LedgerError code, string message) => Validation.Fail(code, message);
}
