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

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The reader's clock: times day first in their zone ("7 Dec 2026, 05:15"), never the server's.</summary>
    [CascadingParameter] private UserTime Time { get; set; } = UserTime.Default;

    private ClaimsPrincipal user = new();
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
        timeline = await Links.ChoicesAsync(user);
        links = await Links.MineAsync(user);
    }

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
            var bundleUrl = "patient/share/bundle?" + string.Join('&', chosen.Select(tx => "tx=" + Uri.EscapeDataString(tx)));
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
            result = await Links.CreateAsync(user, input, jwe, chosen.Count, manifestBase);
            if (result is { IsOk: true, Value: { } link })
            {
                made = new MadeLink(link.Label, link.Flag, input.ExpiresAt);
                await module.InvokeAsync<int>("finish", handle, link.ManifestUrl, link.Exp, link.Flag, link.Label,
                    PublicUrls.Absolute(Navigation, ShareLinksExtensions.ViewerPath), linkBox);
                handle = null;
                links = await Links.MineAsync(user);
                chosen.Clear();
                pin = null;
            }
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
        var revoked = await Links.RevokeAsync(user, link.Id);
        if (revoked.IsOk) Snackbar.Add($"\"{link.Label}\" is revoked: it no longer opens.", Severity.Success);
        else Snackbar.Add(revoked.Message!, Severity.Error);
        links = await Links.MineAsync(user);
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
