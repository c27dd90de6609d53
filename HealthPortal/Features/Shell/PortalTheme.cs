using MudBlazor;

namespace HealthPortal.Features.Shell;

/// <summary>The portal's look. wwwroot/account.css repeats these colours and fonts for the static Identity pages.</summary>
public static class PortalTheme
{
    public const string Primary = "#0e6f8a";
    // System fonts for Latin text: nothing is fetched from a font CDN (the CSP allows only 'self'). Burmese text is drawn
    // with Noto Sans Myanmar, served by the app (wwwroot/fonts). It comes first: its faces cover only Myanmar code points
    // (unicode-range), so Latin text still gets the system fonts and English pages never download it. After the Latin
    // fonts, Chromium on Linux drew text that was Burmese only with its last-resort font (tofu boxes, DejaVu Sans per
    // CSS.getPlatformFontsForNode) although the face had loaded; mixed Burmese and Latin text got Noto (E2E
    // Localization/BurmeseJourneyTests, 7 Dec 2026).
    public static readonly string[] FontStack = ["Noto Sans Myanmar", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = Primary,
            // Darker than MudBlazor's defaults so coloured text (chips, text alerts, error buttons) and white text on
            // filled ones reach WCAG AA's 4.5:1 on white and on their own 12% tint (axe: AccessibilityTests).
            Secondary = "#1a6b62",
            Success = "#1b6e20",
            Info = "#0b5cad",
            Warning = "#8a5000",
            Error = "#b71c1c",
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
            Default = new DefaultTypography { FontFamily = FontStack },
            H1 = new H1Typography { FontFamily = FontStack },
            H2 = new H2Typography { FontFamily = FontStack },
            H3 = new H3Typography { FontFamily = FontStack, FontSize = "2.4rem", FontWeight = "500" },
            H4 = new H4Typography { FontFamily = FontStack, FontSize = "1.9rem", FontWeight = "500" },
            H5 = new H5Typography { FontFamily = FontStack },
            H6 = new H6Typography { FontFamily = FontStack },
            Subtitle1 = new Subtitle1Typography { FontFamily = FontStack },
            Subtitle2 = new Subtitle2Typography { FontFamily = FontStack },
            Body1 = new Body1Typography { FontFamily = FontStack },
            Body2 = new Body2Typography { FontFamily = FontStack },
            Button = new ButtonTypography { FontFamily = FontStack },
            Caption = new CaptionTypography { FontFamily = FontStack },
            Overline = new OverlineTypography { FontFamily = FontStack },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
