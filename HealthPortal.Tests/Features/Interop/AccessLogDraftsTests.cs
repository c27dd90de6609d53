using HealthPortal.Features.Interop;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>
/// What a caller checks before signing the access logs a serving node drafted, and what the serving node accepts back:
/// a serving node cannot make the caller sign an access it did not ask for.
/// </summary>
public sealed class AccessLogDraftsTests : IAsyncLifetime
{
    private const string Staff = "st-TestStaffPseudonymOfNoAccountAtAllxxxxxxxxx";
    private const string Mpi = "1234-5678-9012";
    private LedgerKit _ledger = default!;
    private LedgerKeyPair _reader = default!, _holder = default!;
    private string _record = "", _otherPatientsRecord = "", _grant = "";

    public async Task InitializeAsync()
    {
        _ledger = new LedgerKit();
        _reader = await _ledger.ApprovedFacility(NodeKind.Clinic, "Reader");
        _holder = await _ledger.ApprovedFacility(NodeKind.Hospital, "Holder");
        var patient = await _ledger.Patient(Mpi);
        var other = await _ledger.Patient("9999-8888-7777");
        _record = "rec-1";
        _otherPatientsRecord = "rec-2";
        await _ledger.MustCommit(_ledger.Anchor(_holder, patient, Mpi, _record));
        await _ledger.MustCommit(_ledger.Anchor(_holder, other, "9999-8888-7777", _otherPatientsRecord));
        var grant = _ledger.Tx.GrantIssue(Mpi, _reader.Id, ["lab"], Purposes.Treatment, _ledger.Now - 60_000, _ledger.Now + 3_600_000).SignWith(patient);
        await _ledger.MustCommit(grant);
        _grant = grant.IdText;
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    private Transaction Draft(string? facility = null, string staff = Staff, string mpi = Mpi, string? record = null, string? grant = "", BreakGlassBasis? breakGlass = null) =>
        _ledger.Tx.AccessLog(facility ?? _reader.Id, staff, mpi, [_holder.Id + "/" + (record ?? _record)], grant == "" ? _grant : grant, breakGlass, Purposes.Treatment);

    private string? Problem(Transaction draft, string? only = null, bool breakGlass = false) =>
        AccessLogDrafts.Problem(draft, _ledger.Engine.Reader, _reader.Id, Staff, Mpi, Purposes.Treatment, only, breakGlass);

    [Fact]
    public void ADraftOfExactlyThisRead_IsSigned() => Assert.Null(Problem(Draft()));

    [Fact]
    public void ADraftNamingAnotherFacility_OrStaff_OrPatient_IsRefused()
    {
        Assert.NotNull(Problem(Draft(facility: _holder.Id)));
        Assert.NotNull(Problem(Draft(staff: "st-AnotherStaffPseudonymOfNoAccountAtAllxxxxxx")));
        Assert.NotNull(Problem(Draft(mpi: "9999-8888-7777")));
    }

    [Fact]
    public void ADraftNamingAnotherPatientsRecord_OrOneNotAskedFor_IsRefused()
    {
        Assert.NotNull(Problem(Draft(record: _otherPatientsRecord)));
        Assert.NotNull(Problem(Draft(record: "rec-not-anchored")));
        Assert.NotNull(Problem(Draft(), only: _holder.Id + "/rec-other"));
        Assert.Null(Problem(Draft(), only: _holder.Id + "/" + _record));
    }

    [Fact]
    public void ADraftUnderAGrantThatIsNotThePatientsToTheCaller_OrAnUnclaimedEmergency_IsRefused()
    {
        Assert.NotNull(Problem(Draft(grant: LedgerKit.Hash("no such grant"))));
        Assert.NotNull(Problem(Draft(grant: null, breakGlass: LedgerKit.BreakGlass())));
    }

    [Fact]
    public void SignedLogs_MatchTheirDraft_WhateverTheirTimestampAndNonce_ButNotAnotherRecordList()
    {
        var draft = Draft();
        Assert.True(AccessLogDrafts.SameAccess(draft, Draft().SignWith(_reader)));
        Assert.False(AccessLogDrafts.SameAccess(draft, Draft(record: _otherPatientsRecord).SignWith(_reader)));
    }

    [Fact]
    public void TheHeaderForm_RoundTrips_AndRefusesWhatIsNotAListOfAccessLogs()
    {
        var signed = new[] { Draft().SignWith(_reader), Draft().SignWith(_reader) };

        var decoded = AccessLogDrafts.Decode(AccessLogDrafts.Encode(signed));

        Assert.Equal(signed.Select(t => t.IdText), decoded!.Select(t => t.IdText));
        Assert.Null(AccessLogDrafts.Decode(AccessLogDrafts.Encode([_ledger.Tx.GrantRevoke(Mpi, _grant)])));
        Assert.Null(AccessLogDrafts.Decode("not base64url!"));
        Assert.Null(AccessLogDrafts.Decode(AccessLogDrafts.Encode(Enumerable.Repeat(Draft(), AccessLogDrafts.MaxLogs + 1))));
    }
}
