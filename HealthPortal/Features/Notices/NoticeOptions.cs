namespace HealthPortal.Features.Notices;

/// <summary><c>HealthPortal:Notices</c>: the mails a patient must not miss (break-glass, new device, grant ending).</summary>
public sealed class NoticeOptions
{
    public const string Section = "HealthPortal:Notices";

    /// <summary>Switch the notices off (they are on by default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A grant ending within this many hours is announced once.</summary>
    public double GrantExpiryWarningHours { get; set; } = 72;

    /// <summary>How often grants are scanned for their end.</summary>
    public double GrantScanMinutes { get; set; } = 60;

    /// <summary>Patients looked at per scan; the next scan goes on where this one stopped, so one scan stays short.</summary>
    public int PatientsPerScan { get; set; } = 2000;

    /// <summary>Blocks read per pass over the ledger, so catching up after a long stop happens in bounded steps.</summary>
    public int BlocksPerPass { get; set; } = 200;
}
