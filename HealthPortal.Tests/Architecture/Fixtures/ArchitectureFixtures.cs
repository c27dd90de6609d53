using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using Microsoft.AspNetCore.Components;

// Small types that break (or keep) the rules on purpose, so the rule checkers are shown to catch what they claim.
// They live in the test assembly, under their own namespace root, and are never registered or rendered.

namespace HealthPortal.Tests.Architecture.Fixtures.Alpha
{
    public sealed class AlphaService
    {
        // Used only inside a lambda: the closure is a nested compiler-generated type, charged to AlphaService.
        public Func<object, bool> IsBeta() => o => o is Beta.BetaRecord;
    }
}

namespace HealthPortal.Tests.Architecture.Fixtures.Beta
{
    public sealed record BetaRecord(string Name);

    public static class BetaUses
    {
        // Used only in a method body (IL), not in any signature.
        public static string Describe() => new Alpha.AlphaService().GetType().Name;
    }
}

namespace HealthPortal.Tests.Architecture.Fixtures.Gamma
{
    public sealed class GammaPage
    {
        public Alpha.AlphaService? Service { get; set; }
    }
}

namespace HealthPortal.Tests.Architecture.Fixtures.Ehr
{
    public static class StoreThatHashesWithTheLedger
    {
        public static string Id(byte[] bytes) => Convert.ToHexString(Hashes.Sha256(bytes));
    }

    public static class StoreOnItsOwn
    {
        public static string Id(byte[] bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
    }
}

namespace HealthPortal.Tests.Architecture.Fixtures.Pages
{
    public sealed class PagePeekingAtState : ComponentBase
    {
        public LedgerState? State { get; set; }
    }

    public sealed class PageReadingInALambda : ComponentBase
    {
        // LedgerState appears only in the IL of a lambda (a nested compiler-generated type), never in a signature.
        public Func<object, bool> IsState { get; } = o => o is LedgerState;
    }

    public sealed class PageOnItsOwn : ComponentBase
    {
        public string Title { get; set; } = "";
    }
}
