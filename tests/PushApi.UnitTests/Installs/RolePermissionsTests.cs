using System.Text.Json.Nodes;
using PushApi.Core.Installs;
using PushApi.Core.Installs.Roles;

namespace PushApi.UnitTests.Installs;

public sealed class RolePermissionsTests
{
    private static readonly HashSet<string> PackageObjects = new(StringComparer.OrdinalIgnoreCase) { "Invoice" };

    private static JsonObject Packaged => Parse("""{"label":"Rep","permissions":{"objects":{"invoice":["create","view"],"Outside":["delete"]},"administrative":["runReports"]}}""");

    private static JsonObject Tenant => Parse("""{"permissions":{"objects":{"Invoice":["edit","view"],"Mine":["view"]},"administrative":["manageUsers"]}}""");

    [Test]
    public void Only_the_packages_objects_and_administrative_permissions_are_carried_over()
    {
        var carried = RolePermissions.CarriedOver(Packaged, PackageObjects);
        Assert.That(carried.ToJsonString(), Is.EqualTo("""{"label":"Rep","permissions":{"objects":{"invoice":["create","view"]},"administrative":["runReports"]}}"""));
        Assert.That(Packaged["permissions"]!["objects"]!["Outside"], Is.Not.Null, "the packaged definition itself is not changed");
    }

    [Test]
    public void Merge_unites_override_replaces_ignore_leaves()
    {
        var carried = RolePermissions.CarriedOver(Packaged, PackageObjects);
        Assert.That(RolePermissions.Apply(Tenant, carried, RolesModes.Merge).ToJsonString(),
            Is.EqualTo("""{"permissions":{"objects":{"Invoice":["edit","view","create"],"Mine":["view"]},"administrative":["manageUsers","runReports"]}}"""));
        Assert.That(RolePermissions.Apply(Tenant, carried, RolesModes.Override).ToJsonString(), Is.EqualTo(carried.ToJsonString()));
        Assert.That(RolePermissions.Apply(Tenant, carried, RolesModes.Ignore).ToJsonString(), Is.EqualTo(Tenant.ToJsonString()));
    }

    [Test]
    public void A_granted_role_gets_create_delete_view_and_team_view_even_from_a_role_without_permissions()
    {
        Assert.That(RolePermissions.Grant(Parse("""{"permissions":[1]}"""), ["Ticket"]).ToJsonString(),
            Is.EqualTo("""{"permissions":{"objects":{"Ticket":["create","delete","view","viewTeam"]}}}"""));
        Assert.That(RolePermissions.Grant(Tenant, ["invoice"]).ToJsonString(),
            Is.EqualTo("""{"permissions":{"objects":{"Invoice":["edit","view","create","delete","viewTeam"],"Mine":["view"]},"administrative":["manageUsers"]}}"""));
    }

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}
