using HealthPortal.Features.Outcomes;
using System.Security.Claims;
using HealthPortal.Features.Facilities;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Security;

namespace HealthPortal.Features.Admission;

public partial class Registrations
{
    private static readonly FacilityStatus[] Statuses = [FacilityStatus.Pending, FacilityStatus.Approved, FacilityStatus.Rejected, FacilityStatus.Revoked];

    private IReadOnlyList<Registration>? registrations;
    private int tab;
    private bool busy;
    private (string Facility, string Contact, string Link)? invitation;
    private HealthPortal.Features.Keys.AdminSignerChoice? signer;

    /// <summary>The signer the admin chose: null for the server-held consortium key, else their wallet.</summary>
    private async Task<HealthPortal.Features.Keys.AdminSign?> SignerAsync() => signer is null ? null : await signer.SignerAsync();

    [Inject] private NodeRegistrations Service { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private HealthPortal.Features.Security.PublicUrls PublicUrls { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync() => await ReloadAsync();

    private async Task<ClaimsPrincipal> AdminAsync() => (await AuthenticationState).User;

    private async Task ReloadAsync() => registrations = await Service.ListAsync(await AdminAsync());


    private async Task ApproveAsync(Registration r)
    {
        // Admission is hard to take back (what the node writes stays on the ledger): say so before signing.
        var sure = await Dialogs.ShowMessageBoxAsync(L["ApproveTitle", r.Facility.Name], L["ApproveText", r.Facility.Name],
            yesText: L["Approve"], cancelText: L["NotNow"]);
        if (sure == true) await ApproveConfirmedAsync(r);
    }

    private Task ApproveConfirmedAsync(Registration r) => RunAsync(async admin =>
    {
        var result = await Service.ApproveAsync(admin, r.Facility.Id, sign: await SignerAsync());
        if (result.Value is { } done)
        {
            ShowInvitation(r, done.ManagerInvitationToken);
            tab = Array.IndexOf(Statuses, FacilityStatus.Approved);
        }
        return (result, L["Approved", r.Facility.Name, result.Value?.Height ?? 0]);
    });

    private async Task RejectAsync(Registration r)
    {
        var reason = await AskReasonAsync(L["RejectTitle", r.Facility.Name], L["RejectText"], L["Reject"], L["WhatRejection"]);
        if (reason is null) return;
        await RunAsync(async admin => (await Service.RejectAsync(admin, r.Facility.Id, reason.ReasonCode, reason.Note, sign: await SignerAsync()), L["Rejected", r.Facility.Name].Value));
    }

    private async Task RevokeAsync(Registration r)
    {
        var reason = await AskReasonAsync(L["RevokeTitle", r.Facility.Name], L["RevokeText"], L["Revoke"], L["WhatRevocation"]);
        if (reason is null) return;
        await RunAsync(async admin => (await Service.RevokeAsync(admin, r.Facility.Id, reason.ReasonCode, reason.Note, sign: await SignerAsync()), L["Revoked", r.Facility.Name].Value));
    }

    private Task InviteManagerAsync(Registration r) => RunAsync(async admin =>
    {
        var result = await Service.ProvisionAsync(admin, r.Facility.Id);
        if (result.Value is { } done) ShowInvitation(r, done.ManagerInvitationToken);
        return (result, L["NewInvitation", r.Facility.Name]);
    });

    private async Task RunAsync(Func<ClaimsPrincipal, Task<(Result<AdmissionDone, AdmissionError> Result, string Success)>> action)
    {
        busy = true;
        try
        {
            var (result, success) = await action(await AdminAsync());
            if (!result.IsOk) Snackbar.Add(result.Message!, Severity.Error);
            else if (result.Value!.Warning is { } warning) Snackbar.Add(warning, Severity.Warning);
            else Snackbar.Add(success, Severity.Success);
            await ReloadAsync();
        }
        finally
        {
            busy = false;
        }
    }

    private void ShowInvitation(Registration r, string? token)
    {
        if (token is null) return;
        var link = Navigation.GetUriWithQueryParameters(
            PublicUrls.Absolute(Navigation, "Account/AcceptInvitation"),
            new Dictionary<string, object?> { ["token"] = token });
        invitation = (r.Facility.Name, r.Facility.Contact, link);
    }

    private async Task<NodeDecision?> AskReasonAsync(string title, string explanation, string confirm, string what)
    {
        var parameters = new DialogParameters<DecisionDialog>
        {
            { d => d.Title, title },
            { d => d.Explanation, explanation },
            { d => d.ConfirmText, confirm },
            { d => d.What, what },
        };
        var dialog = await Dialogs.ShowAsync<DecisionDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false, Data: NodeDecision reason } ? reason : null;
    }
}
