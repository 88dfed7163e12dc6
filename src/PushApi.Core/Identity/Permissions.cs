namespace PushApi.Core.Identity;

/// <summary>
/// What a user may do. Admin manages users, API clients, packages, versions and tenants; PushUpgrade
/// creates and changes push requests and jobs (Salesforce's "Upload AppExchange Packages"); Read
/// queries, retrieves and describes. Admin includes the other two, PushUpgrade includes Read.
/// </summary>
public static class Permissions
{
    public const string Admin = "Admin";
    public const string PushUpgrade = "PushUpgrade";
    public const string Read = "Read";

    public static IReadOnlyList<string> All { get; } = [Admin, PushUpgrade, Read];

    /// <summary>The canonical spelling of a permission name (case ignored), or null.</summary>
    public static string? Normalize(string? name) => All.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The granted permissions plus the ones they include.</summary>
    public static IReadOnlySet<string> Effective(IEnumerable<string> granted)
    {
        var effective = new HashSet<string>(StringComparer.Ordinal);
        foreach (var permission in granted)
        {
            effective.Add(permission);
            if (permission == Admin)
            {
                effective.Add(PushUpgrade);
                effective.Add(Read);
            }
            else if (permission == PushUpgrade)
            {
                effective.Add(Read);
            }
        }

        return effective;
    }
}
