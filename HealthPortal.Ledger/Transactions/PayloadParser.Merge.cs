namespace HealthPortal.Ledger.Transactions;

/// <summary>The members of <c>patient.merge</c> and <c>patient.split</c>: two MPI numbers, a facility id and a reason code.</summary>
public static partial class PayloadParser
{
    private sealed partial class Reader
    {
        public PatientMergePayload Merge()
        {
            var (retired, surviving, facility) = MergePair();
            return new PatientMergePayload(retired, surviving, facility, Code("reason", MergeReasons.IsValid, MergeReasons.All));
        }

        public PatientSplitPayload Split()
        {
            var (retired, surviving, facility) = MergePair();
            return new PatientSplitPayload(retired, surviving, facility, Code("reason", SplitReasons.IsValid, SplitReasons.All));
        }

        private (string Retired, string Surviving, string Facility) MergePair()
        {
            var retired = Mpi("retired");
            var surviving = Mpi("surviving");
            var facility = Id("facility");
            if (Error is null && retired == surviving) Fail(LedgerError.InvalidField, "$.body.surviving: a number is not merged into itself");
            return (retired, surviving, facility);
        }
    }
}
