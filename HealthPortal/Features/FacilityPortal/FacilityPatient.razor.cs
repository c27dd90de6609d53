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
    private bool sending;
    private bool listening;

    // Records in this facility's own store that no save sent through the portal (seeded or imported ones), with their anchor when the ledger has one.
    private IReadOnlyList<(EhrRecord Record, long? Height)> storeOnly = [];

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
        if (current is not null) current = confirmations.FirstOrDefault(c => c.Id == current.Id) ?? current;
        // After a reload or coming back, the newest save still waiting keeps its code on screen.
        current ??= confirmations.Where(c => c.Status == AnchorStatus.Pending).OrderByDescending(c => c.CreatedAt).FirstOrDefault();
    }

    private void ShowCode(string? id) => current = confirmations.FirstOrDefault(c => c.Id == id);

    private async Task OnSavedAsync(IReadOnlyList<EhrRecord> records)
    {
        prepareError = null;
        sending = true;
        try
        {
            var prepared = await Workflow.PrepareAsync(staff, facility!.Id, patient!.Mpi, records);
            if (!prepared.Succeeded)
            {
                (prepareError, unsent) = (prepared.Error, records);
                return;
            }
            (current, unsent) = (prepared.Confirmation, null);
            await ReloadAsync();
        }
        finally { sending = false; }
    }

    private Task SendAgainAsync() => unsent is { } records ? OnSavedAsync(records) : Task.CompletedTask;

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
