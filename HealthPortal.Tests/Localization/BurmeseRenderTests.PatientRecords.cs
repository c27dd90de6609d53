using HealthPortal.Features.Delegation;
using HealthPortal.Features.Patient.Summary;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Localization;

// The render cases of Features/Records, Patient and Delegation that need no database: data in them (names, a test's
// name and values) is written in Burmese, so any Latin word left is the component's own.
public sealed partial class BurmeseRenderTests
{
    private IEnumerable<string> IntegrityChipEveryVerdict() =>
        Enum.GetValues<RecordIntegrity>().SelectMany(verdict => BurmeseText.Of(Render<IntegrityChip>(p => p.Add(c => c.Integrity, verdict))))
            .Concat(BurmeseText.Of(Render<IntegrityChip>(p => p.Add(c => c.Verifying, true))));

    private IEnumerable<string> TrendChartWithRange()
    {
        var source = new SummarySource("tx", 7, "node-a", "ရန်ကုန် ပြည်သူ့ဆေးရုံကြီး", "r-1", RecordKinds.LabResult, new DateOnly(2026, 2, 11), DateTimeOffset.UnixEpoch);
        var points = new[]
        {
            new ResultPoint(new DateTimeOffset(2025, 8, 20, 8, 30, 0, TimeSpan.Zero), 10.6m, "10.6", "နိမ့်", true, source),
            new ResultPoint(new DateTimeOffset(2026, 2, 11, 9, 15, 0, TimeSpan.Zero), 12.4m, "12.4", "ပုံမှန်", false, source),
        };
        return BurmeseText.Of(Render<ResultTrendChart>(p => p.Add(c => c.Trend, new ResultTrend("718-7", "ဟီမိုဂလိုဘင်", null, 12m, 16m, "12–16", points))));
    }

    private IEnumerable<string> DelegationListEveryStatus()
    {
        var given = Enum.GetValues<DelegationStatus>().Select(status => new DelegationView(
            "d-" + status, status == DelegationStatus.Active ? DelegationKinds.Guardian : DelegationKinds.Caregiver, "1000-0001", BurmeseName, "1000-0002", "ကိုအောင်",
            DelegationPowers.All, new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 6, 0, 0, 0, TimeSpan.Zero), status, 4,
            status == DelegationStatus.Revoked ? 9 : null)).ToList();
        return BurmeseText.Of(Render<DelegationList>(p => p.Add(c => c.Items, given).Add(c => c.ShowDelegate, true).Add(c => c.CanRevoke, true)))
            .Concat(BurmeseText.Of(Render<DelegationList>(p => p.Add(c => c.Items, given).Add(c => c.ShowDelegate, false))))
            .Concat(BurmeseText.Of(Render<DelegationList>(p => p.Add(c => c.Empty, "မရှိပါ"))));
    }

    private IEnumerable<string> DelegationFieldMessageOfTheService() =>
        BurmeseText.Of(Render<DelegationFieldMessage>(p => p
            .Add(c => c.Field, PatientDelegations.EndField)
            .Add(c => c.Problems, [new(PatientDelegations.EndField, DelegationText.Text("EndBeforeStart")), new(PatientDelegations.EndField, DelegationText.Format("TooLong", 1))])));
}
