namespace PushApi.Core.Identity;

/// <summary>
/// What a user may do. Admin manages users, API clients, packages, versions and tenants; PushUpgrade
/// creates and changes push requests and jobs (Salesforce's "Upload AppExchange Packages"); Read
/// queries, retrieves and describes; ApprovePush approves or rejects another user's push while approval is
/// required (four eyes). Admin includes the others, PushUpgrade includes Read.
/// </summary>
public static class Permissions
{
    public const string Admin = "Admin";
    public const string PushUpgrade = "PushUpgrade";
    public const string Read = "Read";
    public const string ApprovePush = "ApprovePush";

    public static IReadOnlyList<string> All { get; } = [Admin, PushUpgrade, Read, ApprovePush];

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
                effective.Add(ApprovePush);
            }
            else if (permission == PushUpgrade)
            {
                effective.Add(Read);
            }
        }

        return effective;
    }
}
