using PushApi.Core.Packages.Contents;

namespace PushApi.Core.Installs.Roles;

/// <summary>
/// The roles part of an install plan: a packaged role named like a role the tenant has already is not created
/// but applied to it in the roles mode; when the package has no roles, each role named in <c>grantRoles</c> is
/// given access to the package's objects (and must exist: DeployError "Unknown Role" otherwise).
/// </summary>
public static class RolePlanner
{
    public static IReadOnlyList<PlanEntry> Plan(IReadOnlyList<VersionContent> items, ILookup<(string, string), TenantComponent> others, InstallOptions options, List<PlanError> errors)
    {
        var packaged = items.Where(i => i.Type == ItemTypes.Role).ToList();
        if (packaged.Count > 0)
        {
            return [.. packaged
                .Where(r => others[InstallPlanner.Key(ItemTypes.Role, r.Name)].Any())
                .Select(r => new PlanEntry(ItemTypes.Role, r.Name, Note(options.RolesMode)))];
        }

        var roles = new List<PlanEntry>();
        var unknown = new List<PlanEntry>();
        foreach (var name in options.GrantRoles)
        {
            if (others[InstallPlanner.Key(ItemTypes.Role, name)].FirstOrDefault() is { } role)
            {
                roles.Add(new PlanEntry(ItemTypes.Role, role.ApiName, "gets create, delete and view on its own records and view on its team's records of the package's objects"));
            }
            else
            {
                unknown.Add(new PlanEntry(ItemTypes.Role, name, "the tenant has no role with this name"));
            }
        }

        if (unknown.Count > 0)
        {
            errors.Add(new PlanError("DeployError", "Unknown Role",
                $"grantRoles names {string.Join(", ", unknown.Select(u => u.Name))}, which the tenant does not have; name roles the tenant has.", unknown));
        }

        return roles;
    }

    private static string Note(string mode) => mode switch
    {
        RolesModes.Override => "the packaged role's definition replaces the tenant's (override)",
        RolesModes.Ignore => "the tenant's role is left as it is (ignore)",
        _ => "the packaged permissions are added to the tenant's role (merge)",
    };
}
