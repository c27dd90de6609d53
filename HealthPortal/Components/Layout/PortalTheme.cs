using MudBlazor;

namespace HealthPortal.Components.Layout;

/// <summary>The portal's look. wwwroot/account.css repeats these colours and fonts for the static Identity pages.</summary>
public static class PortalTheme
{
    public const string Primary = "#0e6f8a";
    public const string FontStack = "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = Primary,
            Secondary = "#2a9d8f",
            Tertiary = "#6d597a",
            AppbarBackground = Primary,
            AppbarText = "#ffffff",
            Background = "#f4f7f9",
            DrawerBackground = "#ffffff",
            TextPrimary = "#1f2d3a",
            TextSecondary = "#5b6b79",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = [FontStack] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
