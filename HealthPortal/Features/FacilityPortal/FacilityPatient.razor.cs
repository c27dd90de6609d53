using System.Security.Claims;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Ordering;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.FacilityPortal;

/// <summary>
/// One patient at the front desk: enough to confirm who they are (initials and birth year, see <see cref="FoundPatient"/>), the facility's own entry form, and what
/// this facility recorded for them with each save's confirmation status. A save is prepared for the patient's
/// co-signature at once and its QR code shown; the page follows the outcome live (blocks, rejections).
/// </summary>
public partial class FacilityPatient : IDisposable
{
    [Parameter] public string Mpi { get; set; } = "";

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private FacilityDirectory Directory { get; set; } = default!;
    [Inject] private FacilityPatients Patients { get; set; } = default!;
    [Inject] private AnchorWorkflow Workflow { get; set; } = default!;
    [Inject] private AnchorEvents Events { get; set; } = default!;
    [Inject] private LedgerHost Ledger { get; set; } = default!;
    [Inject] private HealthPortal.Features.Ehr.EhrStores Stores { get; set; } = default!;
    [Inject] private HealthPortal.Features.Ehr.EhrVersions Versions { get; set; } = default!;
    [Inject] private HealthPortal.Features.Corrections.RecordCorrections Corrections { get; set; } = default!;

    private ClaimsPrincipal staff = new();
    private HealthFacility? facility;
    private FoundPatient? patient;
    private string? lookupError;
    private bool loaded;
    private IReadOnlyList<AnchorConfirmationView> confirmations = [];
    private AnchorConfirmationView? current;
    private string? prepareError;
    // The records of a save that reached the store but not the patient: kept so staff can send them again.
    private IReadOnlyList<EhrRecord>? unsent;
    private IReadOnlyDictionary<string, string>? unsentSupersedes;
    private bool sending;
    private bool listening;

    // Records in this facility's own store that no save sent through the portal (seeded or imported ones), with their anchor when the ledger has one.
    private IReadOnlyList<(EhrRecord Record, long? Height)> storeOnly = [];

    // The record being corrected (the entry panel shows the correction form), and which records newer versions replaced.
    private string? correcting;
    private IReadOnlyDictionary<string, string> replaced = new Dictionary<string, string>();
    private int requestsVersion;

    private int RecordCount => confirmations.Sum(c => c.Records.Count) + storeOnly.Count;

    protected override async Task OnParametersSetAsync()
    {
        // A lookup is audited and shows the patient: do it once, on the interactive circuit, not also while prerendering.
        if (!RendererInfo.IsInteractive) return;
        staff = (await AuthenticationState).User;
        facility = await Directory.MineAsync(staff);
        var lookup = await Patients.FindAsync(staff, Mpi);
        patient = lookup.Value;
        lookupError = lookup.Message;
        current = null;
        prepareError = null;
        await ReloadAsync();
        if (!listening && facility is not null && patient is not null)
        {
            Ledger.Engine.BlockCommitted += OnBlockCommitted;
            Events.Changed += OnAnchorChanged;
            listening = true;
        }
        loaded = true;
    }

    private async Task ReloadAsync()
    {
        if (facility is null || patient is null) return;
        confirmations = await Workflow.OfPatientAtFacilityAsync(staff, facility.Id, patient.Mpi);
        var sent = confirmations.SelectMany(c => c.Records).Select(r => r.RecordId).ToHashSet(StringComparer.Ordinal);
        var own = Stores.Find(facility.Id) is { } store ? await store.RecordsOfAsync(patient.Mpi) : [];
        storeOnly = [.. own.Where(r => !sent.Contains(r.RecordId))
            .Select(r => (r, facility.NodeKeyId is { } node ? Ledger.Reader.Record(node, r.RecordId)?.Height : null))];
        replaced = await Versions.ReplacedOfAsync(facility.Id, [.. sent, .. own.Select(r => r.RecordId)]);
        if (current is not null) current = confirmations.FirstOrDefault(c => c.Id == current.Id) ?? current;
        // After a reload or coming back, the newest save still waiting keeps its code on screen.
        current ??= confirmations.Where(c => c.Status == AnchorStatus.Pending).OrderByDescending(c => c.CreatedAt).FirstOrDefault();
    }

    private void ShowCode(string? id) => current = confirmations.FirstOrDefault(c => c.Id == id);

    private Task OnSavedAsync(IReadOnlyList<EhrRecord> records) => SendAsync(records, null);

    private async Task SendAsync(IReadOnlyList<EhrRecord> records, IReadOnlyDictionary<string, string>? supersedes)
    {
        prepareError = null;
        sending = true;
        try
        {
            var prepared = await Workflow.PrepareAsync(staff, facility!.Id, patient!.Mpi, records, supersedes);
            if (!prepared.Succeeded)
            {
                (prepareError, unsent, unsentSupersedes) = (prepared.Error, records, supersedes);
                return;
            }
            (current, unsent, unsentSupersedes) = (prepared.Confirmation, null, null);
            await ReloadAsync();
        }
        finally { sending = false; }
    }

    private void StartCorrection(string recordId) => (correcting, prepareError) = (recordId, null);

    private void CancelCorrection() => correcting = null;

    /// <summary>The correction was saved in the store: link it to what it replaces and send it for the patient's co-signature.</summary>
    private async Task OnCorrectedAsync(HealthPortal.Features.Ehr.EhrCorrectionSaved saved)
    {
        prepareError = null;
        sending = true;
        try
        {
            var sent = await Corrections.SendCorrectionAsync(staff, facility!.Id, patient!.Mpi, saved);
            correcting = null;
            requestsVersion++;
            if (!sent.IsOk)
            {
                // Saved and linked already (nothing typed is lost); only the confirmation step failed, so it can be sent again.
                var notSent = sent.Error == HealthPortal.Features.Corrections.CorrectionError.NotSent;
                (prepareError, unsent) = (sent.Message, notSent ? saved.Records : null);
                unsentSupersedes = notSent ? HealthPortal.Features.Ehr.EhrCorrections.Pair(saved.Records, saved.Replaced).ToDictionary(p => p.New.RecordId, p => p.Old.RecordId) : null;
                await ReloadAsync();
                return;
            }
            (current, unsent) = (sent.Value!.Confirmation, null);
            await ReloadAsync();
        }
        finally { sending = false; }
    }

    private Task SendAgainAsync() => unsent is { } records ? SendAsync(records, unsentSupersedes) : Task.CompletedTask;

    private void OnBlockCommitted(CommittedBlock block)
    {
        // On the ledger's commit thread: only look, then move onto the circuit.
        var mine = confirmations;
        if (!block.Transactions.Any(tx => mine.Any(c => c.Concerns(tx)))) return;
        _ = InvokeAsync(async () =>
        {
            await ReloadAsync();
            StateHasChanged();
        });
    }

    private void OnAnchorChanged(AnchorChange change)
    {
        if (change.FacilityId != facility?.Id || change.Mpi != patient?.Mpi) return;
        _ = InvokeAsync(async () =>
        {
            await ReloadAsync();
            StateHasChanged();
        });
    }

    public void Dispose()
    {
        if (!listening) return;
        Ledger.Engine.BlockCommitted -= OnBlockCommitted;
        Events.Changed -= OnAnchorChanged;
    }
}
