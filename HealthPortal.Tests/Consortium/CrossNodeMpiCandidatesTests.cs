using System.Net;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Mpi.Pprl;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// Cross-node MPI candidates over real HTTP between two nodes on loopback (<see cref="CrossNodeCluster"/>): node a's
/// desk asks node b with a Bloom-filter encoding only, b answers with its facility's name and a Dice score only, and
/// b refuses unsigned callers and callers past their searches per minute.
/// </summary>
[Collection(CrossNodeCollection.Name)]
public sealed class CrossNodeMpiCandidatesTests(CrossNodeCluster cluster)
{
    private CrossNodeHost A => cluster.A;
    private CrossNodeHost B => cluster.B;

    private async Task RegisterAtRiversideAsync(string mrn, string name, DateOnly birth, string nrc, string phone) =>
        await B.QueryAsync(async db =>
        {
            db.Add(new MpiRegisterEntry
            {
                FacilityId = CrossNodeCluster.Riverside, Mrn = mrn, FullName = name, BirthDate = birth, Sex = Sex.Male, Nrc = nrc, Phone = phone,
                Township = "Lanmadaw", Mpi = MpiNumber.NewNumber(), Source = RegisterSource.WalkIn, CreatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });

    [Fact]
    public async Task ADeskAtA_FindsThePatientRegisteredAtB_ByFacilityAndScoreOnly()
    {
        var mrn = "X" + Random.Shared.Next(100_000, 999_999);
        await RegisterAtRiversideAsync(mrn, "U Aung Kyaw Moe", new DateOnly(1980, 4, 3), "12/LAMANA(N)" + mrn[1..], "09420" + mrn[1..]);
        var probe = MpiRecord.Create("walk-in", "Aong Chaw Mo", birthDate: "03/04/1980", sex: Sex.Male, nrc: "12/lamana(naing)" + mrn[1..],
            phone: "+95 9 420 " + mrn[1..], township: "Lanmadaw");

        var found = await A.WithScopeAsync(s => s.GetRequiredService<CrossNodeCandidates>().FindAsync(probe));

        Assert.True(found.InConsortium);
        Assert.Empty(found.Problems);
        var candidate = Assert.Single(found.Candidates, c => c.Dice >= 0.9);
        Assert.Equal(cluster.RiversideKey.Id, candidate.FacilityLedgerId);
        Assert.Equal("Riverside Clinic", candidate.FacilityName);
    }

    [Fact]
    public async Task SomeoneNoOtherNodeHolds_HasNoCandidates()
    {
        var probe = MpiRecord.Create("walk-in", "Thazin Nandar Pwint", birthDate: "17/11/1931", sex: Sex.Female, nrc: "9/MAHAMA(N)000007", phone: "09777000111");

        var found = await A.WithScopeAsync(s => s.GetRequiredService<CrossNodeCandidates>().FindAsync(probe));

        Assert.Empty(found.Problems);
        Assert.Empty(found.Candidates);
    }

    [Fact]
    public async Task AnUnsignedSearch_IsRefused_AndAMalformedOne_IsA400()
    {
        using var http = new HttpClient { BaseAddress = B.Url };
        var encoding = new ClkEncoder(new byte[32]).Encode(MpiRecord.Create("x", "Aung Kyaw Moe", birthDate: "03/04/1980"));
        using var unsigned = await http.PostAsync(PprlNodeApi.Target, new ByteArrayContent(PprlNodeApi.BodyOf(encoding)));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        var nodes = A.Get<NodeApiClient>();
        var malformed = await nodes.SendAsync(B.Url, HttpMethod.Post, PprlNodeApi.Target, "{\"clk\":\"AAAA\"}"u8.ToArray(), null);
        Assert.Equal(400, malformed.Status);
    }

    [Fact]
    public async Task ACallerPastItsSearchesPerMinute_Gets429()
    {
        // Signed by another approved facility node (a founder), so the limit of node a's own searches is left alone.
        using var http = new HttpClient { BaseAddress = B.Url };
        var body = PprlNodeApi.BodyOf(new ClkEncoder(new byte[32]).Encode(MpiRecord.Create("x", "Aung Kyaw Moe", birthDate: "03/04/1980")));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < new PprlOptions().SearchesPerMinute + 1; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, PprlNodeApi.Target) { Content = new ByteArrayContent(body) };
            foreach (var (name, value) in NodeRequestSignature.Sign(cluster.Northgate, "POST", PprlNodeApi.Target, body, null, TimeProvider.System))
                request.Headers.TryAddWithoutValidation(name, value);
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
