namespace HealthPortal.Features.Patients;

/// <summary>
/// The account row that holds a child's <see cref="PatientProfile"/> (issue 14): a child registered by a guardian has no
/// e-mail, password or role, so nobody signs in to it until the grown-up child takes it over. Its user name, unique and
/// in the reserved <c>.invalid</c> domain (RFC 2606: it can never be a real address), is what marks it, so Children
/// (which makes these accounts) and the admins' account list (which shows them for what they are) agree without
/// depending on each other.
/// </summary>
public static class ChildHolderAccount
{
    public const string Domain = "children.invalid";

    /// <summary>The user name of the account holding the child of registration <paramref name="registrationId"/>.</summary>
    public static string UserNameFor(string registrationId) => $"child-{registrationId}@{Domain}";

    public static bool IsHolder(string? userName) =>
        userName is not null && userName.StartsWith("child-", StringComparison.Ordinal) && userName.EndsWith("@" + Domain, StringComparison.Ordinal);
}
