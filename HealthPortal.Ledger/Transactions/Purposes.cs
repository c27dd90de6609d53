namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// Purposes of use, for grant.issue (what the patient allows) and access.log (what a read was for). "emergency" is
/// what a break-glass read is for; "other" means the patient explained it in words that stay off the ledger.
/// </summary>
public static class Purposes
{
    public const string Treatment = "treatment";
    public const string Referral = "referral";
    public const string SecondOpinion = "second-opinion";
    public const string Insurance = "insurance";
    public const string Emergency = "emergency";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Treatment, Referral, SecondOpinion, Insurance, Emergency, Other];

    public static bool IsValid(string? code) => code is not null && All.Contains(code);
}
