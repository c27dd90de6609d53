using HealthPortal.Features.Keys;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// The patient reads every record of one save of a facility in full, decides on each (confirm, or dispute with a
/// reason), and co-signs the confirmed ones with this browser's key; or rejects the whole save. Signing waits until
/// every record to sign has been read to its end and its content matched the anchored hash. Follows the outcome live:
/// the base page re-reads when a block touching the patient lands.
/// </summary>
public partial class ConfirmRecords
{
    /// <summary>The reader's clock (facility zone for staff, profile zone for patients).</summary>
    [CascadingParameter] private HealthPortal.Features.Times.UserTime Clock { get; set; } = HealthPortal.Features.Times.UserTime.Default;

    private const string ReadThroughModule = "./js/read-through.js";

    [Parameter] public string Id { get; set; } = "";

    [Inject] private AnchorWorkflow Workflow { get; set; } = default!;
    [Inject] private AnchorEvents Events { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    private AnchorConfirmationView? confirmation;
    private bool loaded;
    private bool busy;
    private bool rejecting;
    private string? reason;
    private string? error;
    private bool listening;
    private IReadOnlyList<RecordContent>? contents;
    private IReadOnlyDictionary<string, ReplacedVersion>? replaced;
    [Inject] private IServiceProvider Services { get; set; } = default!;
    private ReplacedVersions? Replaced => Services.GetService(typeof(ReplacedVersions)) as ReplacedVersions;
    private readonly Dictionary<string, RecordChoice> choices = new(StringComparer.Ordinal);
    private DotNetObjectReference<ConfirmRecords>? selfRef;
    private IJSObjectReference? readThrough;

    private string Title => confirmation is null ? L["TitleRecords"]
        : ForSomeoneElse ? L["TitleFor", AnchorTitles.For(confirmation.Records), subjectName ?? confirmation.Mpi]
        : AnchorTitles.For(confirmation.Records);

    /// <summary>The save is another patient's: the caller co-signs for them under a delegation (the workflow checked it).</summary>
    private bool ForSomeoneElse => confirmation is not null && View?.Mpi is { } own && confirmation.Mpi != own;

    /// <summary>The name this node holds for the patient of a save the caller co-signs for.</summary>
    private string? subjectName;

    [Inject] private HealthPortal.Features.ActingFor.DelegateAccess Delegates { get; set; } = default!;

    private IEnumerable<AnchorRecordView> Undecided => confirmation?.Records.Where(r => !r.IsRejected) ?? [];

    private int ToConfirmCount => Undecided.Count(r => !ChoiceOf(r).Dispute);

    private int ToDisputeCount => Undecided.Count(r => ChoiceOf(r).Dispute);

    private bool ChoicesComplete => Undecided.All(r => ChoiceOf(r).IsComplete);

    /// <summary>Why the sign button is off, in words; null when the patient may sign.</summary>
    private string? SignBlocker
    {
        get
        {
            var toSign = Undecided.Where(r => !ChoiceOf(r).Dispute).ToList();
            if (contents is null) return L["Loading"];
            if (toSign.Any(r => contents.FirstOrDefault(c => c.RecordId == r.RecordId)?.IsShown != true))
                return L["CannotShow"];
            if (toSign.Any(r => !ChoiceOf(r).Seen)) return L["ReadFirst"];
            if (!ChoicesComplete) return L["ChooseWhy"];
            return null;
        }
    }

    private bool CanSign => SignBlocker is null && ToConfirmCount > 0;

    private string SignLabel => ToDisputeCount == 0
        ? L["ConfirmAndSign"]
        : L["ConfirmDisputeSign", ToConfirmCount, ToDisputeCount];

    private string DisputedText => confirmation!.Disputed.Count == 1 ? L["OneDisputed"] : L["ManyDisputed", confirmation.Disputed.Count];

    /// <summary>The patient's own words as typed, or the first record's reason in the reader's language (the stored text is English).</summary>
    private string? RejectReasonShown => confirmation?.Records.FirstOrDefault(r => r.IsRejected) is { RejectWords: null, RejectCode: { } code }
        ? AnchorRejectReasons.Label(code) : confirmation?.RejectReason;

    private RecordChoice ChoiceOf(AnchorRecordView record)
    {
        if (!choices.TryGetValue(record.RecordId, out var choice)) choices[record.RecordId] = choice = new RecordChoice();
        return choice;
    }

    /// <summary>Called by the page's script when the end of a record's content came into view.</summary>
    [JSInvokable]
    public Task Seen(string recordId) => InvokeAsync(() =>
    {
        if (choices.TryGetValue(recordId, out var choice) && !choice.Seen)
        {
            choice.Seen = true;
            StateHasChanged();
        }
    });

    private string NoKeyText => KeyState switch
    {
        BrowserKeyState.Revoked => L["NoKeyRevoked"],
        BrowserKeyState.NotOnLedger => L["NoKeyNotOnLedger"],
        _ => View?.IsRegistered == false ? L["NoKeyYet"] : L["NoKeyHere"],
    };

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        Events.Changed += OnAnchorChanged;
        listening = true;
    }

    protected override async Task OnParametersSetAsync()
    {
        await ReloadConfirmationAsync();
        loaded = true;
    }

    protected override Task OnLedgerChangedAsync() => ReloadConfirmationAsync();

    private async Task ReloadConfirmationAsync()
    {
        confirmation = await Workflow.ForPatientAsync(User, Id);
        if (confirmation is null) return;
        foreach (var record in confirmation.Records) ChoiceOf(record);
        if (subjectName is null && View?.Mpi is { } own && confirmation.Mpi != own)
            subjectName = (await Delegates.NamesAsync([confirmation.Mpi])).GetValueOrDefault(confirmation.Mpi);
        // The content does not change with the confirmation's status: read (and hash-check) it once.
        contents ??= await Workflow.ContentOfAsync(User, Id);
        // A correction says which version it replaces and what changed (optional service: partial test containers lack it).
        replaced ??= Replaced is null ? null : await Replaced.OfAsync(confirmation, contents);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        await base.OnAfterRenderAsync(firstRender);
        if (contents is null || confirmation?.Status != AnchorStatus.Pending) return;
        try
        {
            readThrough ??= await JS.InvokeAsync<IJSObjectReference>("import", ReadThroughModule);
            selfRef ??= DotNetObjectReference.Create(this);
            if (readThrough is not null) await readThrough.InvokeVoidAsync("watch", selfRef);
        }
        catch (JSDisconnectedException)
        {
            // The circuit went away; nothing to watch.
        }
    }

    private void OnAnchorChanged(AnchorChange change)
    {
        if (change.Id != Id) return;
        _ = InReadersLanguageAsync(async () =>
        {
            await ReloadConfirmationAsync();
            StateHasChanged();
        });
    }

    /// <summary>Confirm with the chosen signer: the disputes are sent first, then the rest is signed.</summary>
    private Task ConfirmAsync() => DecideAndSignAsync(SignWithChosenSignerAsync);

    /// <summary>Every record disputed: sends the disputes, no signature needed.</summary>
    private Task DisputeAllChosenAsync() => DecideAndSignAsync(sign: null);

    /// <summary>
    /// The one path of a decision, whatever signs it: the patient's disputes are recorded first (they need no
    /// signature and are final), then <paramref name="sign"/> signs every record left and submits them.
    /// </summary>
    private async Task DecideAndSignAsync(Func<IReadOnlyList<AnchorToSign>, Task<AnchorOutcome>>? sign)
    {
        busy = true;
        error = null;
        try
        {
            var disputes = Undecided.Where(r => ChoiceOf(r).Dispute)
                .Select(r => new RecordDispute(r.RecordId, ChoiceOf(r).Code ?? "", ChoiceOf(r).Words)).ToList();
            if (disputes.Count > 0)
            {
                var disputed = await Workflow.DisputeAsync(User, Id, disputes);
                if (!disputed.Succeeded)
                {
                    error = AnchorWords.Explain(disputed.Code, disputed.Error);
                    return;
                }
            }
            if (sign is null || ToConfirmCount == 0) return;
            var toSign = await Workflow.ToSignAsync(User, Id);
            if (toSign is null)
            {
                error = L["NoLonger"];
                return;
            }
            var outcome = await sign(toSign);
            if (!outcome.Succeeded) error = AnchorWords.Explain(outcome.Code, outcome.Error);
        }
        catch (JSException e)
        {
            error = L["BrowserFailed", e.Message];
        }
        finally
        {
            await ReloadConfirmationAsync();
            busy = false;
        }
    }

    /// <summary>Signs every record left with the chosen signer: this browser's key, or the wallet (one prompt per record).</summary>
    private async Task<AnchorOutcome> SignWithChosenSignerAsync(IReadOnlyList<AnchorToSign> toSign)
    {
        var signatures = new List<PatientSignature>();
        PatientSigner? signer = null;
        foreach (var anchor in toSign)
        {
            // A wallet that refuses (rejected, locked, wrong account or chain) submits nothing; the disputes already sent stand.
            var signed = await SignForAsync(anchor.Type, anchor.Body);
            if (!signed.IsOk) return AnchorOutcome.Fail(AnchorError.SignerRefused, HealthPortal.Features.Keys.KeyWords.Explain(signed.Error, signed.Message ?? L["WalletDidNotSign"]));
            signer = signed.Value.Signer;
            signatures.Add(new PatientSignature(anchor.TransactionId, anchor.Body, signed.Value.Signature));
        }
        return await Workflow.ConfirmAsync(User, Id, signer ?? (PatientSigner)BrowserKey!, signatures);
    }

    private async Task RejectAsync()
    {
        busy = true;
        error = null;
        try
        {
            var outcome = await Workflow.RejectAsync(User, Id, reason);
            if (!outcome.Succeeded) error = AnchorWords.Explain(outcome.Code, outcome.Error);
            await ReloadConfirmationAsync();
        }
        finally
        {
            busy = false;
        }
    }

    public override void Dispose()
    {
        if (listening) Events.Changed -= OnAnchorChanged;
        selfRef?.Dispose();
        if (readThrough is not null) _ = DisposeModuleAsync(readThrough);
        base.Dispose();
    }

    private static async Task DisposeModuleAsync(IJSObjectReference module)
    {
        try { await module.DisposeAsync(); }
        catch (JSDisconnectedException) { /* the circuit is gone with the module */ }
    }
}
