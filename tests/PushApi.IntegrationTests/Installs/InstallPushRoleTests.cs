using System.Net;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Installs;

/// <summary>
/// Roles in installs ("Permissions Considerations"): a packaged role named like a tenant's role is merged into it,
/// replaces it or leaves it, as the deployment's rolesMode says, carrying over only the permissions for the package's
/// objects and the administrative ones; a package without roles grants access to the roles the deployment names.
/// </summary>
public partial class InstallPushTests
{
    private static readonly object TenantRole = new { permissions = new { objects = new Dictionary<string, string[]> { ["Invoice"] = ["edit"], ["Mine"] = ["view"] }, administrative = new[] { "manageUsers" } } };

    [Test]
    public async Task Each_roles_mode_merges_overrides_or_ignores_the_tenants_role_and_only_the_packages_objects_are_carried_over()
    {
        var package = await _steps.PackageAsync("Sales Roles", locked: false,
            ("Object", "Invoice", new { }),
            ("Role", "Sales Rep", new { permissions = new { objects = new Dictionary<string, string[]> { ["Invoice"] = ["create", "view"], ["Outside"] = ["delete"] }, administrative = new[] { "runReports" } } }));
        var version = await _steps.PublishAsync(package, 1);
        var (merge, replace, ignore, none, fromFile) = (await _steps.TenantAsync("Roles Merge"), await _steps.TenantAsync("Roles Override"), await _steps.TenantAsync("Roles Ignore"),
            await _steps.TenantAsync("Roles None"), await _steps.TenantAsync("Roles File"));
        foreach (var tenant in new[] { merge, replace, ignore, fromFile })
        {
            await _steps.AddComponentAsync(tenant, "Role", "Sales Rep", TenantRole);
        }

        var plan = await _steps.PlanAsync(replace, version, "&rolesMode=override");
        Assert.That(plan.GetProperty("roles")[0].Text("note"), Does.Contain("override"));
        Assert.That(plan.GetProperty("conflicts").GetArrayLength(), Is.Zero, "a role of the same name is no conflict");

        await _steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { merge, none } }, installMode = "installOrUpgrade" });
        await _steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { replace } }, installMode = "installOrUpgrade", rolesMode = "override" });
        await _steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { ignore } }, installMode = "installOrUpgrade", rolesMode = "ignore" });
        await _steps.InstallFromFileAsync(fromFile, version, HttpStatusCode.OK, "?rolesMode=override");

        var merged = await RoleAsync(merge);
        Assert.That(merged.Text("origin"), Is.EqualTo("tenant"), "the tenant's role stays the tenant's");
        Assert.That(Permissions(merged), Is.EqualTo("Invoice=edit,create,view;Mine=view|manageUsers,runReports"));
        var created = await RoleAsync(none);
        Assert.That(created.Text("origin"), Is.EqualTo("package"));
        Assert.That(Permissions(created), Is.EqualTo("Invoice=create,view|runReports"), "permissions on objects outside the package are not carried over");
        Assert.That(Permissions(await RoleAsync(replace)), Is.EqualTo("Invoice=create,view|runReports"));
        Assert.That(Permissions(await RoleAsync(fromFile)), Is.EqualTo("Invoice=create,view|runReports"), "install from file takes rolesMode too");
        Assert.That(Permissions(await RoleAsync(ignore)), Is.EqualTo("Invoice=edit;Mine=view|manageUsers"));
    }

    [Test]
    public async Task A_package_without_roles_gives_the_named_roles_access_and_a_role_the_tenant_lacks_fails_its_install()
    {
        var package = await _steps.PackageAsync("Tickets", locked: true, ("Object", "Ticket", new { }));
        var version = await _steps.PublishAsync(package, 1);
        var (granted, missing) = (await _steps.TenantAsync("Grant Has Role"), await _steps.TenantAsync("Grant Lacks Role"));
        await _steps.AddComponentAsync(granted, "Role", "Support", new { });

        // The plan takes the roles as a repeated query parameter, and checks each name as a deployment does.
        Assert.That((await _steps.PlanAsync(granted, version)).GetProperty("roles").GetArrayLength(), Is.Zero);
        var plan = await _steps.PlanAsync(granted, version, "&grantRoles=support&grantRoles=Auditors");
        Assert.That(plan.GetProperty("roles").EnumerateArray().Select(r => r.Text("name")), Is.EqualTo(new[] { "Support" }), "the tenant's role named in grantRoles");
        await Admin.GetAsync($"/api/v1/tenants/{granted}/install-plan?packageVersionId={version}&grantRoles=../x").ExpectAsync(HttpStatusCode.BadRequest);

        await _steps.DeployAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { granted } }, rolesMode = "sideways" }, HttpStatusCode.BadRequest);
        await _steps.DeployAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { granted } }, installMode = "always" }, HttpStatusCode.BadRequest);
        await _steps.DeployAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { granted } }, grantRoles = new[] { "../x" } }, HttpStatusCode.BadRequest);

        var id = await _steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { granted, missing } }, installMode = "installOrUpgrade", grantRoles = new[] { "support" } });
        Assert.That(Permissions(await RoleAsync(granted, "Support")), Is.EqualTo("Ticket=create,delete,view,viewTeam|"));
        var failure = (await _steps.FailuresAsync(id)).GetProperty("failures").EnumerateArray().Single();
        Assert.That((failure.Text("orgKey"), failure.Text("errorType"), failure.Text("errorTitle")), Is.EqualTo((missing, "DeployError", "Unknown Role")));
        Assert.That(failure.Text("errorMessage"), Does.Contain("support"));
    }

    private async Task<JsonElement> RoleAsync(string tenant, string name = "Sales Rep") =>
        (await _steps.ComponentsAsync(tenant)).Single(c => c.Text("type") == "Role" && c.Text("name") == name);

    /// <summary>A role's permissions as "Object=p,p;Object=p|admin,admin" (objects in order, as stored).</summary>
    private static string Permissions(JsonElement role)
    {
        var permissions = role.GetProperty("definition").TryGetProperty("permissions", out var p) ? p : default;
        var objects = permissions.ValueKind == JsonValueKind.Object && permissions.TryGetProperty("objects", out var o)
            ? string.Join(";", o.EnumerateObject().Select(x => $"{x.Name}={string.Join(",", x.Value.EnumerateArray().Select(v => v.GetString()))}"))
            : "";
        var administrative = permissions.ValueKind == JsonValueKind.Object && permissions.TryGetProperty("administrative", out var a)
            ? string.Join(",", a.EnumerateArray().Select(v => v.GetString()))
            : "";
        return $"{objects}|{administrative}";
    }
}
