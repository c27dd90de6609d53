using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Delegation;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Delegation;

/// <summary>
/// Giving, listing and revoking delegations through <see cref="PatientDelegations"/> on the test portal's real
/// ledger (a .NET key plays each browser), and the read-time check (<see cref="DelegateAccess"/>) that decides
/// whether a delegate sees the patient's records: the powers and the revocation count at every read.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PatientDelegationsTests(PortalFactory portal)
{
    private Task<T> Service<T>(Func<PatientDelegations, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientDelegations>()));

    private static DelegationInput Input(string person, params string[] powers) => new()
    {
        Person = person, Powers = [.. powers.Length == 0 ? [DelegationPowers.View, DelegationPowers.Cosign] : powers],
        Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(90),
    };

    private async Task<Result<DelegationDone, LedgerError>> GiveAsync(TestPatient patient, DelegationInput input)
    {
        var draft = await Service(s => s.DraftIssueAsync(patient.Principal, input));
        Assert.True(draft.IsOk, draft.Message);
        var body = draft.Value!.Body;
        return await Service(s => s.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.DelegationIssue, body)));
    }

    private async Task<Result<DelegationDone, LedgerError>> RevokeAsync(TestPatient signer, string delegationId)
    {
        var body = Ok(await Service(s => s.DraftRevokeAsync(signer.Principal, delegationId)));
        return await Service(s => s.RevokeAsync(signer.Principal, body, signer.Key!.Jwk, signer.Key.Sign(TxType.DelegationRevoke, body)));
    }

    private static T Ok<T>(Result<T, LedgerError> result)
    {
        Assert.True(result.IsOk, result.Message);
        return result.Value!;
    }

    private Task<PatientTimeline?> TimelineAsync(TestPatient caller, string subject)
        => portal.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineForAsync(caller.Principal, subject));

    [Fact]
    public async Task Give_ByEmail_IsListedForBothPeople_AndTheDelegateMayReadTheRecords()
    {
        var parent = await portal.RegisteredPatientAsync();
        var child = await portal.RegisteredPatientAsync();

        var done = await GiveAsync(parent, Input(child.Email));

        Assert.True(done.IsOk, done.Message);
        var given = Assert.Single((await Service(s => s.LoadAsync(parent.Principal))).Given);
        Assert.Equal((child.Mpi, DelegationStatus.Active, DelegationKinds.Caregiver), (given.DelegateMpi, given.Status, given.Kind));
        var held = Assert.Single((await Service(s => s.LoadAsync(child.Principal))).Received);
        Assert.Equal(parent.Mpi, held.PatientMpi);
        Assert.Equal(parent.Mpi, (await TimelineAsync(child, parent.Mpi!))!.Mpi);
        var choices = await portal.Services.GetRequiredService<DelegateAccess>().ChoicesAsync(child.Principal);
        Assert.Equal([child.Mpi, parent.Mpi], choices.Select(c => c.Mpi));
    }

    [Fact]
    public async Task WithoutAnyDelegation_OrWithoutTheViewPower_TheRecordsAreRefused()
    {
        var parent = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        var sharer = await portal.RegisteredPatientAsync();
        Assert.True((await GiveAsync(parent, Input(sharer.Mpi!, DelegationPowers.Share))).IsOk);

        Assert.Null(await TimelineAsync(stranger, parent.Mpi!));
        Assert.Null(await TimelineAsync(sharer, parent.Mpi!));
        Assert.False(await portal.Services.GetRequiredService<ActingForChoices>().ChooseAsync(stranger.Principal, parent.Mpi!));
    }

    [Fact]
    public async Task Revoke_ByThePatient_EndsTheDelegatesAccessAtTheNextRead()
    {
        var parent = await portal.RegisteredPatientAsync();
        var carer = await portal.RegisteredPatientAsync();
        var done = Ok(await GiveAsync(parent, Input(carer.Mpi!)));
        var choices = portal.Services.GetRequiredService<ActingForChoices>();
        Assert.True(await choices.ChooseAsync(carer.Principal, parent.Mpi!));
        Assert.Equal(parent.Mpi, (await choices.SubjectAsync(carer.Principal))!.Mpi);

        Assert.True((await RevokeAsync(parent, done.DelegationId)).IsOk);

        Assert.Null(await TimelineAsync(carer, parent.Mpi!));
        // The remembered choice falls back to the carer's own records: it never outlives the delegation.
        Assert.Equal(carer.Mpi, (await choices.SubjectAsync(carer.Principal))!.Mpi);
        Assert.Equal(DelegationStatus.Revoked, Assert.Single((await Service(s => s.LoadAsync(parent.Principal))).Given).Status);
    }

    [Fact]
    public async Task TheDelegate_MayStepDown_AndCannotRevokeTwice()
    {
        var parent = await portal.RegisteredPatientAsync();
        var carer = await portal.RegisteredPatientAsync();
        var done = Ok(await GiveAsync(parent, Input(carer.Mpi!)));

        Assert.True((await RevokeAsync(carer, done.DelegationId)).IsOk);

        var again = await Service(s => s.DraftRevokeAsync(parent.Principal, done.DelegationId));
        Assert.Equal(LedgerError.DelegationRevoked, again.Error);
    }

    [Fact]
    public async Task Draft_NamesEveryBadField_AndFindsNobodyForAnUnknownPerson()
    {
        var patient = await portal.RegisteredPatientAsync();
        var input = Input("nobody@example.invalid");
        input.Powers.Clear();
        input.End = input.Start!.Value.AddDays(-1);

        var draft = await Service(s => s.DraftIssueAsync(patient.Principal, input));

        Assert.Equal(LedgerError.InvalidField, draft.Error);
        Assert.Equal([PatientDelegations.PersonField, PatientDelegations.PowersField, PatientDelegations.EndField], draft.Fields.Select(f => f.Field));
        var self = await Service(s => s.DraftIssueAsync(patient.Principal, Input(patient.Mpi!)));
        Assert.Equal("That is you: choose someone else.", Assert.Single(self.Fields).Message);
    }

    [Fact]
    public async Task Issue_SignedByAnotherPatientsKey_IsRefusedAndNothingIsRecorded()
    {
        var parent = await portal.RegisteredPatientAsync();
        var carer = await portal.RegisteredPatientAsync();
        var body = Ok(await Service(s => s.DraftIssueAsync(parent.Principal, Input(carer.Mpi!)))).Body;

        // The carer's browser signs the parent's delegation: the signature is not a key of the parent.
        var result = await Service(s => s.IssueAsync(parent.Principal, body, carer.Key!.Jwk, carer.Key.Sign(TxType.DelegationIssue, body)));

        Assert.Equal(LedgerError.SignerNotAuthorized, result.Error);
        Assert.Empty((await Service(s => s.LoadAsync(parent.Principal))).Given);
    }
}
