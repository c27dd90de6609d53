using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Features.Records;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.BreakGlass;

namespace HealthPortal.Features.Interop;

public partial class SharedRecordsPanel : IDisposable
{
    /// <summary>The reader's clock (facility zone for staff, profile zone for patients).</summary>
    [CascadingParameter] private HealthPortal.Features.Times.UserTime Clock { get; set; } = HealthPortal.Features.Times.UserTime.Default;

    [Inject] private InteropClient Interop { get; set; } = default!;
    [Inject] private BreakGlassSessions BreakGlass { get; set; } = default!;
    [Inject] private IDbContextFactory<ApplicationDbContext> DbFactory { get; set; } = default!;
    [Inject] private LedgerHost Ledger { get; set; } = default!;
    [Inject] private MudBlazor.IDialogService Dialogs { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The patient's MPI number (any typed form; it is normalised).</summary>
    [Parameter, EditorRequired] public string Mpi { get; set; } = "";

    private string? userId;
    private bool loaded;
    private string mpi = "";
    private bool canBreakGlass;
    private BreakGlassSession? session;
    private DateTimeOffset? emergencyEnded;
    private bool loading = true;
    private bool busy;
    private int status;
    private string? message;
    private List<SharedRecordView> records = [];
    private SharedRecordView? detail;
    private string? detailDenied;
    private bool emergencyOpen;
    private string? reason;
    private string? reasonCode;
    private string? reasonError;
    private string? reasonCodeError;
    private bool listening;
    private bool accessChanged;

    protected override async Task OnParametersSetAsync()
    {
        var principal = AuthenticationState is null ? null : (await AuthenticationState).User;
        var user = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var patient = MpiNumber.TryParse(Mpi, out var normalized, out _) ? normalized : Mpi;
        // The host page re-renders on its own events (an anchor of this patient changes), which sets the parameters
        // again unchanged: reading again then would log another access on the ledger and close the record on screen.
        if (loaded && user == userId && patient == mpi) return;
        (userId, mpi, loaded) = (user, patient, true);
        if (!listening)
        {
            Ledger.Engine.BlockCommitted += OnBlockCommitted;
            listening = true;
        }
        detail = null;
        detailDenied = null;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        loading = true;
        emergencyEnded = null;
        accessChanged = false;
        if (userId is null) { (status, message, loading) = (403, "not signed in", false); return; }
        // The permission is read from the database each time, never from the sign-in claims.
        await using (var db = await DbFactory.CreateDbContextAsync())
            canBreakGlass = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.CanBreakGlass).SingleOrDefaultAsync();
        session = MpiNumber.IsValid(mpi) ? await BreakGlass.ActiveForUserAsync(userId, mpi) : null;
        var result = await Interop.EverythingAsync(userId, mpi, Purpose, session?.Id);
        // Own records alone come back without any grant: for this panel that is still "no access".
        (status, message) = (result.IsOk && result.Access == "none" ? 403 : result.Status, result.Message);
        records = [.. result.Records.Where(r => r.Basis != "own")];
        loading = false;
    }

    private string Purpose => session is null ? InteropClient.TreatmentPurpose : InteropClient.EmergencyPurpose;

    /// <summary>Reads the record again through the policy: a grant revoked since the list was shown refuses this view.</summary>
    private async Task ViewAsync(SharedRecordView record)
    {
        if (userId is null) return;
        busy = true;
        try
        {
            session = await BreakGlass.ActiveForUserAsync(userId, mpi);
            var result = await Interop.ReadAsync(userId, record.ResourceType, record.InteropId, Purpose, session?.Id);
            if (result.IsOk)
            {
                detail = result.Records[0] with { FacilityName = record.FacilityName };
                detailDenied = null;
            }
            else
            {
                detail = null;
                detailDenied = result.Status == 403
                    ? "You may no longer see this record: the patient's access for your facility has ended or was revoked."
                    : $"The record could not be read: {result.Message}";
                // A refusal means the list shown earlier is stale too: its rows (kind, facility, date) are part of the
                // record the policy now refuses. List again, so only what is still allowed stays on screen.
                if (result.Status == 403) await LoadAsync();
            }
        }
        finally { busy = false; }
    }

    private async Task StartEmergencyAsync()
    {
        if (userId is null) return;
        // A complete form gets one last step in plain words; an incomplete one goes straight to the checks, which say what is missing.
        if (BreakGlassReasons.IsValid(reasonCode) && (reason ?? "").Trim().Length >= InteropOptions.MinReasonLength)
        {
            var minutes = (int)BreakGlass.MaxDuration.TotalMinutes;
            var sure = await Dialogs.ShowMessageBoxAsync("Open emergency access?",
                $"You are about to open this patient's records held by other facilities without their permission, for up to {minutes} minutes. " +
                "Every record you open is written on the shared ledger with your staff pseudonym and the kind of emergency. " +
                "The patient is alerted and reads your explanation, and the network's administrators review this emergency access. " +
                "End it as soon as you have what you need.",
                yesText: "Yes, open it", cancelText: "Go back");
            if (sure != true) return;
        }
        busy = true;
        try
        {
            var started = await BreakGlass.StartAsync(userId, mpi, reasonCode, reason);
            if (!started.Started)
            {
                // Each message under the field it is about.
                if (started.Error == BreakGlassStartError.ReasonCodeRequired) (reasonCodeError, reasonError) = (started.Message, null);
                else (reasonCodeError, reasonError) = (null, started.Message);
                return;
            }
            (emergencyOpen, reason, reasonCode, reasonError, reasonCodeError) = (false, null, null, null, null);
            await LoadAsync();
        }
        finally { busy = false; }
    }

    /// <summary>
    /// Ends the emergency session now and takes what it showed off the screen. The panel does not list again by
    /// itself: the staff member may, and then sees only what a grant allows.
    /// </summary>
    private async Task EndEmergencyAsync()
    {
        if (userId is null || session is null) return;
        busy = true;
        try
        {
            await BreakGlass.EndAsync(userId, session.Id);
            // Nothing is listed again by itself: a listing is a read, logged and shown to the patient; the staff member decides.
            emergencyEnded = DateTimeOffset.UtcNow;
            (session, detail, detailDenied, records) = (null, null, null, []);
        }
        finally { busy = false; }
    }

    /// <summary>
    /// A grant or revoke of this patient landed: say so and offer to list again. Not automatic, because every listing
    /// of another facility's records is an access logged on the ledger and shown to the patient; only the staff member
    /// decides to read. (A view is re-checked anyway, so a revoke refuses the next view with or without this.)
    /// </summary>
    private void OnBlockCommitted(CommittedBlock block)
    {
        var patient = mpi;
        if (!block.Transactions.Any(tx => tx.Type is TxType.GrantIssue or TxType.GrantRevoke && (string?)tx.Body["mpi"] == patient)) return;
        _ = InvokeAsync(() =>
        {
            accessChanged = true;
            StateHasChanged();
        });
    }

    public void Dispose()
    {
        if (listening) Ledger.Engine.BlockCommitted -= OnBlockCommitted;
    }

}
