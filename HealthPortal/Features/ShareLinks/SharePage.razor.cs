using System.Security.Claims;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Security;
using HealthPortal.Features.Times;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace HealthPortal.Features.ShareLinks;

public partial class SharePage : IAsyncDisposable
{
    private const string All = "";

    /// <summary>The choices the issue asks for, from an hour to the configured maximum (30 days by default).</summary>
    private IEnumerable<(int Hours, string Words)> Lifetimes =>
        new (int, string)[] { (1, "1 hour"), (4, "4 hours"), (24, "1 day"), (72, "3 days"), (168, "7 days"), (336, "14 days"), (720, "30 days") }
            .Where(l => l.Item1 <= Links.Options.MaxLifetimeDays * 24);

    [Inject] private PatientShareLinks Links { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private PublicUrls PublicUrls { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IServiceProvider Services { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The reader's clock: times day first in their zone ("7 Dec 2026, 05:15"), never the server's.</summary>
    [CascadingParameter] private UserTime Time { get; set; } = UserTime.Default;

    private ClaimsPrincipal user = new();
    /// <summary>
    /// The person acted for when the page opened (the switcher's choice), null for one's own links. Fixed for the page's
    /// life so that a switch in another tab never turns a link begun for one person into another's; every request
    /// sends it and the server decides again whether it is still allowed.
    /// </summary>
    private string? forMpi;
    private Result<ShareSubject, ShareLinkError>? subject;
    private ShareSubject? Who => subject is { IsOk: true, Value: { } s } ? s : null;
    private PatientTimeline? timeline;
    private IReadOnlyList<ShareLinkSummary> links = [];
    private readonly HashSet<string> chosen = new(StringComparer.Ordinal);
    private string kind = All;
    private DateTime? from, to;
    private string label = "";
    private int lifetimeHours = 24;
    private string? pin;
    private bool busy;
    private Result<CreatedShareLink, ShareLinkError>? result;
    private MadeLink? made;
    private ElementReference linkBox;
    private IJSObjectReference? module;

    private sealed record MadeLink(string Label, string? Flag, DateTimeOffset ExpiresAt);

    protected override async Task OnInitializedAsync()
    {
        user = (await AuthenticationState).User;
        forMpi = (await HealthPortal.Features.ActingFor.ActingForChoices.OtherSubjectAsync(Services, user))?.Mpi;
        subject = await Links.SubjectAsync(user, forMpi);
        if (!subject.IsOk) return;
        var choices = await Links.ChoicesAsync(user, forMpi);
        if (!choices.IsOk)
        {
            subject = Result.Fail(choices.Error, choices.Message!);
            return;
        }
        timeline = choices.Value;
        links = await Links.ListAsync(user, forMpi);
    }

    /// <summary>
    /// After the server refused a request because the caller may no longer share for the person (their delegation was
    /// revoked or ended since the page opened): the form and the list go, the reason stays.
    /// </summary>
    private void Refused(ShareLinkError error, string message)
    {
        if (error != ShareLinkError.Forbidden || Who is not { IsSelf: false }) return;
        subject = Result.Fail(error, message);
        links = [];
        chosen.Clear();
    }

    /// <summary>Who made a link, as the reader says it: "you", the person acted for, or the delegate who made it for them.</summary>
    private string MadeBy(ShareLinkSummary s) =>
        s.Link.MadeBy is null ? (Who is { IsSelf: false } who ? who.Name : "you")
        : s.Link.MadeBy == Who?.CallerMpi ? "you"
        : Who is { IsSelf: true } ? $"{s.MadeByName} for you"
        : s.MadeByName ?? s.Link.MadeBy;

    private IReadOnlyList<TimelineEntry> Matching => timeline is null ? [] : new TimelineFilter(
        null, kind == All ? null : kind,
        from is { } f ? DateOnly.FromDateTime(f) : null,
        to is { } t ? DateOnly.FromDateTime(t) : null).Apply(timeline.Entries);

    private void SelectMatching()
    {
        foreach (var e in Matching.Where(e => e.Integrity == Records.RecordIntegrity.Verified)) chosen.Add(e.TxId);
    }

    private void Toggle(string txId, bool on)
    {
        if (on) chosen.Add(txId); else chosen.Remove(txId);
    }

    private async Task MakeAsync()
    {
        if (busy) return;
        busy = true;
        result = null;
        string? handle = null;
        try
        {
            var input = new ShareLinkInput(label, Clock.GetUtcNow().AddHours(lifetimeHours), string.IsNullOrEmpty(pin) ? null : pin);
            var fields = Links.Validate(input, Clock.GetUtcNow()).ToList();
            if (chosen.Count == 0) fields.Insert(0, new FieldError("records", "Choose at least one record to share."));
            if (fields.Count > 0)
            {
                result = Result.Invalid(ShareLinkError.Invalid, fields);
                return;
            }

            module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/share-links.js");
            var bundleUrl = ShareLinksExtensions.BundlePath.TrimStart('/') + "?" + string.Join('&', chosen.Select(tx => "tx=" + Uri.EscapeDataString(tx)))
                + (forMpi is null ? "" : "&for=" + Uri.EscapeDataString(forMpi));
            var sealedContent = await module.InvokeAsync<SealAnswer>("seal", bundleUrl);
            if (sealedContent.Error is { } error)
            {
                result = Result.Fail(ShareLinkError.Invalid, error);
                return;
            }
            handle = sealedContent.Handle!;
            string jwe;
            await using (var stream = await module.InvokeAsync<IJSStreamReference>("ciphertext", handle))
            await using (var read = await stream.OpenReadStreamAsync(Links.Options.MaxContentBytes + 1))
            using (var reader = new StreamReader(read))
                jwe = await reader.ReadToEndAsync();

            var manifestBase = PublicUrls.Absolute(Navigation, "").TrimEnd('/');
            result = await Links.CreateAsync(user, forMpi, input, jwe, chosen.Count, manifestBase);
            if (result is { IsOk: true, Value: { } link })
            {
                made = new MadeLink(link.Label, link.Flag, input.ExpiresAt);
                await module.InvokeAsync<int>("finish", handle, link.ManifestUrl, link.Exp, link.Flag, link.Label,
                    PublicUrls.Absolute(Navigation, ShareLinksExtensions.ViewerPath), linkBox);
                handle = null;
                links = await Links.ListAsync(user, forMpi);
                chosen.Clear();
                pin = null;
            }
            else if (result is { IsOk: false } refused) Refused(refused.Error, refused.Message!);
        }
        catch (JSException e)
        {
            result = Result.Fail(ShareLinkError.Invalid, "Your browser could not encrypt the records: " + e.Message);
        }
        finally
        {
            if (handle is not null && module is not null) await module.InvokeVoidAsync("discard", handle);
            busy = false;
        }
    }

    private async Task RevokeAsync(ShareLink link)
    {
        var revoked = await Links.RevokeAsync(user, forMpi, link.Id);
        if (revoked.IsOk) Snackbar.Add($"\"{link.Label}\" is revoked: it no longer opens.", Severity.Success);
        else
        {
            Snackbar.Add(revoked.Message!, Severity.Error);
            Refused(revoked.Error, revoked.Message!);
        }
        links = await Links.ListAsync(user, forMpi);
    }

    private static Color StatusColor(ShareLinkStatus status) => status switch
    {
        ShareLinkStatus.Active => Color.Success,
        ShareLinkStatus.Revoked or ShareLinkStatus.Locked => Color.Error,
        _ => Color.Default,
    };

    public async ValueTask DisposeAsync()
    {
        if (module is not null)
        {
            try { await module.DisposeAsync(); } catch (JSDisconnectedException) { }
        }
    }

    private sealed record SealAnswer(string? Handle, string? Error, int Length);
}
