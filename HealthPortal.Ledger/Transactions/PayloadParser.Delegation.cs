namespace HealthPortal.Ledger.Transactions;

/// <summary>The members of delegations, keyless registrations and the <c>delegation</c> member of delegated acts.</summary>
public static partial class PayloadParser
{
    private sealed partial class Reader
    {
        /// <summary>An id member that may be absent (then null, and the body keeps the bytes it had without it).</summary>
        public string? OptionalId(string name) => Members[name] is null ? null : Id(name);

        public DelegationIssuePayload DelegationIssue()
        {
            var mpi = Mpi("mpi");
            var @delegate = Mpi("delegate");
            var powers = List("powers", DelegationPowers.IsValid, "a power (" + string.Join(", ", DelegationPowers.All) + ")");
            var from = Long("from");
            var until = Long("until");
            var kind = Code("kind", DelegationKinds.IsValid, DelegationKinds.All);
            var facility = OptionalId("facility");
            if (Error is null && until <= from) Fail(LedgerError.InvalidField, "$.body.until: must be after from");
            if (Error is null && mpi == @delegate) Fail(LedgerError.InvalidField, "$.body.delegate: a patient does not delegate to themselves");
            // A guardianship is attested by the facility that saw the documents; a caregiver delegation is the patient's alone.
            if (Error is null && kind == DelegationKinds.Guardian && facility is null)
                Fail(LedgerError.MissingField, "$.body.facility: required for a guardianship (the attesting facility)");
            if (Error is null && kind == DelegationKinds.Caregiver && facility is not null)
                Fail(LedgerError.InvalidField, "$.body.facility: only a guardianship is attested by a facility");
            return new DelegationIssuePayload(mpi, @delegate, powers, from, until, kind, facility);
        }

        public KeylessRegisterPayload KeylessRegister() => new(Mpi("mpi"), Hash("demographics"), Id("facility"));
    }
}
