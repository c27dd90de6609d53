using System.Globalization;
using HealthPortal.Features.Localization;

namespace HealthPortal.Tests.Localization;

/// <summary>MudBlazor's own words follow the reader's language; keys the portal has no text for fall back to MudBlazor's English.</summary>
public sealed class MudWordsTests
{
    private static T Under<T>(string culture, Func<T> read)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try { return read(); }
        finally { CultureInfo.CurrentUICulture = before; }
    }

    [Fact]
    public void NumericFieldButton_UnderBurmese_IsBurmese()
    {
        var text = Under(PortalCultures.Burmese, () => new MudWords()["MudInput_Increment"]);

        Assert.False(text.ResourceNotFound);
        Assert.Equal("တိုးရန်", text.Value);
    }

    [Fact]
    public void KeyWithArgument_UnderBurmese_KeepsTheArgument()
    {
        var text = Under(PortalCultures.Burmese, () => new MudWords()["MudPagination_PageIndex", 3]);

        Assert.Equal("စာမျက်နှာ 3", text.Value);
    }

    [Fact]
    public void UnknownKey_IsNotFound_SoMudBlazorUsesItsOwn()
    {
        var text = Under(PortalCultures.Burmese, () => new MudWords()["MudDataGrid_AddFilter"]);

        Assert.True(text.ResourceNotFound);
    }

    [Fact]
    public void NumericFieldButton_UnderEnglish_IsMudBlazorsEnglish()
    {
        Assert.Equal("Increment", Under(PortalCultures.Default, () => new MudWords()["MudInput_Increment"].Value));
    }
}
