using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.FacilityPortal;

/// <summary>The front desk's MPI field: checked as typed, card QR content understood, unknown numbers told apart.</summary>
public sealed class PatientFinderTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    protected override async Task ConfigureAsync()
    {
        database.AddTo(Services);
        ledger.AddTo(Services);
        var email = DemoData.AccountFor(Roles.FacilityStaff, "demo-lakeview").Email;
        Auth.SetAuthorized(email);
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims(await database.ClaimsOfAsync(email));
    }

    private static string ValidMpi() => MpiNumber.NewNumber();

    /// <summary>A complete number whose last digit is wrong: what a typo looks like.</summary>
    private static string Typo(string mpi) => mpi[..^1] + (char)('0' + (mpi[^1] - '0' + 1) % 10);

    private static void Type(IRenderedComponent<PatientFinder> finder, string text) =>
        finder.Find("input[data-testid='mpi-input']").Input(text);

    /// <summary>The field's error line (MudBlazor puts it under the input, outside the element carrying the test id).</summary>
    private static string ErrorOf(IRenderedComponent<PatientFinder> finder) =>
        string.Concat(finder.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent));

    [Fact]
    public void MpiInput_WhileIncomplete_ShowsNoErrorAndCannotOpen()
    {
        var finder = Render<PatientFinder>();

        Type(finder, "1234-56");

        Assert.Equal("", ErrorOf(finder));
        Assert.True(finder.Find("[data-testid='find-patient']").HasAttribute("disabled"));
    }

    [Fact]
    public void MpiInput_CompleteWithWrongCheckDigit_SaysItHasATypo()
    {
        var finder = Render<PatientFinder>();

        Type(finder, Typo(ValidMpi()));

        Assert.Contains("typo", ErrorOf(finder));
        Assert.True(finder.Find("[data-testid='find-patient']").HasAttribute("disabled"));
    }

    [Fact]
    public void MpiInput_WithLetters_SaysOnlyDigits()
    {
        var finder = Render<PatientFinder>();

        Type(finder, "12a4");

        Assert.Contains("only digits", ErrorOf(finder));
    }

    [Fact]
    public void MpiInput_Valid_CanOpen()
    {
        var finder = Render<PatientFinder>();

        Type(finder, ValidMpi().Replace("-", " "));

        Assert.False(finder.Find("[data-testid='find-patient']").HasAttribute("disabled"));
        Assert.Equal("", ErrorOf(finder));
    }

    [Fact]
    public void Open_UnregisteredNumber_SaysNoSuchPatient()
    {
        var finder = Render<PatientFinder>();
        var mpi = ValidMpi();
        Type(finder, mpi);

        finder.Find("[data-testid='find-patient']").Click();

        finder.WaitForAssertion(() => Assert.Contains($"No patient with MPI number {mpi}", finder.Find("[data-testid='find-error']").TextContent));
    }

    [Fact]
    public void ScanCard_WithoutBrowserSupport_ExplainsAndOffersTyping()
    {
        var finder = Render<PatientFinder>();

        finder.WaitForAssertion(() => Assert.Contains("type the number", finder.Find("[data-testid='scan-unavailable']").TextContent));
        Assert.True(finder.Find("[data-testid='scan-card']").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData("HPMPI:{0}", true)]
    [InlineData("hpmpi:{0}", true)]
    [InlineData("{0}", true)]
    [InlineData("https://example.com/{0}", false)]
    [InlineData("OTHER:{0}", false)]
    public void TryReadMpi_UnderstandsTheCardsQrContent(string format, bool expected)
    {
        var mpi = ValidMpi();
        var content = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, mpi);

        Assert.Equal(expected, FacilityPatients.TryReadMpi(content, out var read, out _));
        if (expected) Assert.Equal(mpi, read);
    }

    [Fact]
    public void TryReadMpi_ReadsWhatTheMpiCardEncodes()
    {
        var mpi = ValidMpi();

        Assert.True(FacilityPatients.TryReadMpi(QrCodes.MpiPayload(mpi), out var read, out _));
        Assert.Equal(mpi, read);
    }

    [Fact]
    public void Search_NameOfNoOwnPatient_ShowsTheEmptyState_AndSaysWhereOthersAreFound()
    {
        var finder = Render<PatientFinder>();

        finder.Find("input[data-testid='search-input']").Input("Nobody Qqxxzz");
        finder.Find("button[data-testid='search-patients']").Click();

        var empty = finder.WaitForElement("[data-testid='search-empty']");
        Assert.Contains("No patient of this facility matches this name", empty.TextContent);
        Assert.Contains("MPI number", empty.TextContent);
    }

    [Fact]
    public void Search_MalformedNrc_SaysWhatAnNrcLooksLike_AndSearchesNothing()
    {
        var finder = Render<PatientFinder>();

        finder.Find("input[data-testid='search-input']").Input("12/MAYAKA(N)12");
        finder.Find("button[data-testid='search-patients']").Click();

        finder.WaitForAssertion(() => Assert.Contains("six digits", ErrorOf(finder)));
        Assert.Empty(finder.FindAll("[data-testid='search-empty'], [data-testid='search-results']"));
    }
}
