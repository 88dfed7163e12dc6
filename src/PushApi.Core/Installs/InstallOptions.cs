namespace PushApi.Core.Installs;

/// <summary>The install modes of a push request: upgrade only (Salesforce's), or install where the tenant lacks the package.</summary>
public static class InstallModes
{
    public const string Upgrade = "upgrade";
    public const string InstallOrUpgrade = "installOrUpgrade";

    public static readonly IReadOnlyList<string> All = [Upgrade, InstallOrUpgrade];

    public static bool Installs(string mode) => mode == InstallOrUpgrade;
}

/// <summary>What an install does to a tenant role that has a packaged role's name ("Permissions Considerations").</summary>
public static class RolesModes
{
    public const string Merge = "merge";
    public const string Override = "override";
    public const string Ignore = "ignore";

    public static readonly IReadOnlyList<string> All = [Merge, Override, Ignore];
}

/// <summary>
/// How a push installs (a deployment's settings; Salesforce's own objects keep the defaults): the install mode,
/// what happens to tenant roles named like the package's, and the tenant roles that get access when the package has none.
/// </summary>
public sealed record InstallOptions(string InstallMode, string RolesMode, IReadOnlyList<string> GrantRoles)
{
    public static readonly InstallOptions Default = new(InstallModes.Upgrade, RolesModes.Merge, []);

    public bool Installs => InstallModes.Installs(InstallMode);
}

/// <summary>Reads install settings as clients send them (deployments, install from file, install plans), with a 400 naming the field.</summary>
public static class InstallInput
{
    public const int MaxGrantRoles = 100;

    public static InstallOptions Options(string? installMode, string? rolesMode, IReadOnlyList<string>? grantRoles)
    {
        var mode = installMode is null ? InstallModes.Upgrade
            : InstallModes.All.FirstOrDefault(m => m.Equals(installMode, StringComparison.OrdinalIgnoreCase))
              ?? throw new Errors.InputException("installMode", $"'{installMode}' is not an install mode; use one of {string.Join(", ", InstallModes.All)}.");
        return new InstallOptions(mode, RolesMode(rolesMode), GrantRoles(grantRoles));
    }

    public static string RolesMode(string? rolesMode) => rolesMode is null ? RolesModes.Merge
        : RolesModes.All.FirstOrDefault(m => m.Equals(rolesMode, StringComparison.OrdinalIgnoreCase))
          ?? throw new Errors.InputException("rolesMode", $"'{rolesMode}' is not a roles mode; use one of {string.Join(", ", RolesModes.All)}.");

    public static IReadOnlyList<string> GrantRoles(IReadOnlyList<string>? roles)
    {
        if (roles is null)
        {
            return [];
        }

        if (roles.Count > MaxGrantRoles)
        {
            throw new Errors.InputException("grantRoles", $"Name at most {MaxGrantRoles} roles.");
        }

        foreach (var role in roles)
        {
            if (!Packages.Contents.ItemNames.IsValid(role))
            {
                throw new Errors.InputException("grantRoles", $"'{role}' is not a role name: {Packages.Contents.ItemNames.Rule}.");
            }
        }

        return [.. roles.Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}
