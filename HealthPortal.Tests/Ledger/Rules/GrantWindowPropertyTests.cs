using CsCheck;
using HealthPortal.Features.Grants;
using HealthPortal.Ledger;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// A grant's window against a deliberately simple reference: active iff notBefore ≤ t &lt; expiresAt and t is before
/// any revocation; the ledger's access rule agrees with it at any instant the injected clock is put at.
/// </summary>
public sealed class GrantWindowPropertyTests
{
    private const string Mpi = "MPI-0001";

    private static bool Reference(long notBefore, long expiresAt, long? revokedAt, long at)
        => notBefore <= at && at < expiresAt && !(revokedAt <= at);

    private static GrantEntry Entry(long notBefore, long expiresAt, long? revokedAt, params string[] categories)
        => new("g", Mpi, "f", categories, "treatment", notBefore, expiresAt, 1, notBefore, revokedAt is null ? null : 2, revokedAt, 1);

    /// <summary>Instants near the interesting edges (±2 ms) as well as anywhere.</summary>
    private static readonly Gen<(long NotBefore, long Length, long? RevokeOffset, long At)> Windows =
        Gen.Select(Gen.Long[0, 1_000_000], Gen.Long[1, 1_000_000], Gen.Long[0, 1_100_000].Nullable(), Gen.Int[0, 3], Gen.Long[-2, 2], Gen.Long[-100, 1_200_000])
            .Select((nb, len, rev, edge, jitter, anywhere) =>
            {
                var at = edge switch
                {
                    0 => nb + jitter,
                    1 => nb + len + jitter,
                    2 => rev is { } r ? nb + r + jitter : nb + anywhere,
                    _ => nb + anywhere,
                };
                return (nb, len, rev, at);
            });

    [Fact]
    public void IsActiveAt_EqualsTheReferenceWindow()
    {
        Windows.Sample(w =>
        {
            long? revokedAt = w.RevokeOffset is { } r ? w.NotBefore + r : null;
            return Entry(w.NotBefore, w.NotBefore + w.Length, revokedAt).IsActiveAt(w.At) == Reference(w.NotBefore, w.NotBefore + w.Length, revokedAt, w.At);
        }, iter: 2_000);
    }

    [Fact]
    public void StatusOf_IsActiveExactlyWhenIsActiveAt_AndRevokedWinsOnceRevoked()
    {
        Windows.Sample(w =>
        {
            long? revokedAt = w.RevokeOffset is { } r ? w.NotBefore + r : null;
            var entry = Entry(w.NotBefore, w.NotBefore + w.Length, revokedAt);
            var status = ActiveGrants.StatusOf(entry, w.At);
            return (status == GrantStatus.Active) == entry.IsActiveAt(w.At)
                && (status == GrantStatus.Revoked) == (revokedAt <= w.At)
                && (status != GrantStatus.Scheduled || w.At < w.NotBefore)
                && (status != GrantStatus.Expired || w.At >= w.NotBefore + w.Length);
        }, iter: 2_000);
    }

    [Fact]
    public void Covers_AllCoversEveryCategory_OtherwiseExactlyTheNamedOnes()
    {
        string[] kinds = ["encounter", "diagnosis", "prescription", "lab-result", "note", "imaging"];
        var category = Gen.Int[0, kinds.Length - 1].Select(i => kinds[i]);
        Gen.Select(category.Array[1, 4], category).Sample((named, asked) =>
            Entry(0, 1, null, named).Covers(asked) == named.Contains(asked)
            && Entry(0, 1, null, [.. named, "all"]).Covers(asked), iter: 500);
    }

    [Fact]
    public async Task AccessLog_CommitsExactlyWhenTheClockIsInsideTheWindow()
    {
        var clock = new ManualClock();
        await using var kit = new LedgerKit(clock: clock);
        var lab = await kit.Facility(NodeStatus.Approved, "laboratory");
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1", "lab"));
        long start = clock.UnixMs, notBefore = start + 1_000, expiresAt = notBefore + 1_000;
        var grant = (await kit.MustCommit(kit.Tx.GrantIssue(Mpi, clinic.Id, ["lab"], "treatment", notBefore, expiresAt).SignWith(patient))).Receipt!.TransactionId;
        var grants = new ActiveGrants(() => kit.Engine.Reader, clock);

        // Edges plus random instants (fixed seed). The clock only moves forward (block times do), so the instants are sorted; each is a real submission.
        var random = new Random(20261124);
        var instants = Enumerable.Range(0, 20).Select(_ => random.NextInt64(start, expiresAt + 500))
            .Concat([notBefore - 1, notBefore, expiresAt - 1, expiresAt]).Distinct().Order().ToArray();
        foreach (var at in instants)
        {
            clock.UnixMs = at;
            var result = await kit.Submit(kit.Tx.AccessLog(clinic.Id, "dr-a", Mpi, [$"{lab.Id}/lab-1"], grant, null, "treatment").SignWith(clinic));
            var inside = notBefore <= at && at < expiresAt;
            Assert.True(result.IsCommitted == inside, $"at {at - notBefore} ms from notBefore: {result}");
            if (!inside) Assert.Equal(LedgerError.GrantNotActive, result.Error);
            Assert.Equal(inside, grants.For(clinic.Id, Mpi).Count == 1);
        }
    }
}
