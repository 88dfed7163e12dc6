using PushApi.Core.Installs;

namespace PushApi.UnitTests.Installs;

public sealed class InstallPlannerTests
{
    private const long Package = 7;

    [Test]
    public void A_tenant_without_the_package_gets_a_fresh_install_of_every_item()
    {
        var plan = InstallPlanner.Plan(Package, installed: false, [Item("Object", "Invoice", "a"), Item("Class", "Billing", "b")], []);
        Assert.That(plan.Kind, Is.EqualTo("install"));
        Assert.That(plan.Create.Select(e => e.Name), Is.EqualTo(new[] { "Invoice", "Billing" }));
        Assert.That(plan.Update.Concat(plan.Overwrite).Concat(plan.Orphan).Concat(plan.Conflicts), Is.Empty);
    }

    [Test]
    public void An_upgrade_updates_changed_items_overwrites_tenant_changes_preserves_additions_and_orphans_dropped_items()
    {
        TenantComponent[] components =
        [
            Packaged(1, "Object", "Invoice", "a"),
            Packaged(2, "Class", "Billing", "b", modified: true),
            Packaged(3, "Page", "Old", "c"),
            Packaged(4, "Field", "Invoice.Amount", "old"),
            new(5, "Field", "Discount", "Discount_00D000000000001", "invoice", ComponentOrigins.Tenant, null, null, "{}", null, false, false),
        ];
        var plan = InstallPlanner.Plan(Package, installed: true,
            [Item("Object", "Invoice", "a"), Item("Class", "Billing", "b"), Item("Field", "Invoice.Amount", "new"), Item("Class", "Tax", "t")], components);
        Assert.That(plan.Kind, Is.EqualTo("upgrade"));
        Assert.That(plan.Create.Select(e => e.Name), Is.EqualTo(new[] { "Tax" }));
        Assert.That(plan.Update.Select(e => e.Name), Is.EqualTo(new[] { "Invoice.Amount" }));
        Assert.That(plan.Overwrite.Select(e => e.Name), Is.EqualTo(new[] { "Billing" }));
        Assert.That(plan.Preserve.Select(e => e.Name), Is.EqualTo(new[] { "Discount_00D000000000001" }));
        Assert.That(plan.Orphan.Select(e => e.Name), Is.EqualTo(new[] { "Old" }));
        Assert.That(plan.Unchanged, Is.EqualTo(1));
    }

    [Test]
    public void An_item_named_like_the_tenants_own_component_or_another_packages_is_a_conflict()
    {
        TenantComponent[] components =
        [
            new(1, "Class", "router", "router", null, ComponentOrigins.Tenant, null, null, "{}", null, false, false),
            new(2, "Object", "Shipment", "Shipment", null, ComponentOrigins.Package, 99, 990, "{}", "x", false, false),
        ];
        var plan = InstallPlanner.Plan(Package, installed: false, [Item("Class", "Router", "r"), Item("Object", "Shipment", "s"), Item("Page", "Router", "p")], components);
        Assert.That(plan.Conflicts.Select(e => $"{e.Type} {e.Name}"), Is.EqualTo(new[] { "Class Router", "Object Shipment" }));
        Assert.That(plan.Create.Select(e => $"{e.Type} {e.Name}"), Is.EqualTo(new[] { "Page Router" }), "names are unique per type");
    }

    [Test]
    public void A_missing_or_too_old_needed_package_is_a_dependent_package_conflict()
    {
        var plan = InstallPlanner.Plan(Package, installed: false, [Item("Field", "Deal.Score", "s")], [],
        [
            new NeededPackage("033000000000001AAA", new PushApi.Core.Packages.VersionNumber(1, 2, 0, 0), null),
            new NeededPackage("033000000000002AAA", new PushApi.Core.Packages.VersionNumber(2, 0, 0, 0), new PushApi.Core.Packages.VersionNumber(1, 9, 0, 1)),
            new NeededPackage("033000000000003AAA", new PushApi.Core.Packages.VersionNumber(1, 0, 0, 0), new PushApi.Core.Packages.VersionNumber(1, 0, 0, 1)),
        ]);
        Assert.That(plan.Errors.Select(e => $"{e.ErrorType} {e.Title}"), Is.EqualTo(new[] { "IneligibleUpgrade Dependent Package Conflict", "IneligibleUpgrade Dependent Package Conflict" }));
        Assert.That(plan.Errors[1].Message, Does.Contain("the tenant has version 1.9"));
    }

    [Test]
    public void Rollup_summary_fields_beyond_the_tenants_limit_are_refused_saying_how_many_to_delete()
    {
        TenantComponent[] components =
        [
            new(1, "RollupSummaryField", "Own Total", "Own Total", null, ComponentOrigins.Tenant, null, null, "{}", null, false, false),
            Packaged(2, "RollupSummaryField", "Total", "t"),
        ];
        VersionContent[] items = [Item("RollupSummaryField", "Total", "t2"), Item("RollupSummaryField", "Count", "c")];
        Assert.That(InstallPlanner.Plan(Package, true, items, components, maxRollupSummaryFields: 3).Errors, Is.Empty, "own 1 + the version's 2");
        var refused = InstallPlanner.Plan(Package, true, items, components, maxRollupSummaryFields: 2).Errors.Single();
        Assert.That((refused.ErrorType, refused.Title), Is.EqualTo(("LimitExceeded", "Rollup Summary Field Limit Exceeded")));
        Assert.That(refused.Message, Does.Contain("delete 1 existing"));
    }

    [Test]
    public void Items_needing_a_feature_the_tenant_lacks_are_FeatureMissing_and_a_tenant_with_every_feature_passes()
    {
        VersionContent[] items = [Item("Site", "Portal", "s"), Item("Opportunity", "Renewal", "o"), Item("Class", "Plain", "c")];
        Assert.That(InstallPlanner.Plan(Package, false, items, []).Errors, Is.Empty, "no features listed: every feature");
        var missing = InstallPlanner.Plan(Package, false, items, [], features: new HashSet<string> { "CRM" }).Errors.Single();
        Assert.That((missing.ErrorType, missing.Title), Is.EqualTo(("FeatureMissing", "Feature Missing")));
        Assert.That(missing.Items.Select(i => i.Name), Is.EqualTo(new[] { "Portal" }));
        Assert.That(missing.Message, Does.Contain("Sites (needed by Site Portal)"));
        Assert.That(InstallPlanner.Plan(Package, false, items, [], features: new HashSet<string>()).Errors.Single().Items, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_packaged_role_named_like_a_tenant_role_is_applied_to_it_not_a_conflict()
    {
        TenantComponent[] components = [new(9, "Role", "Sales Rep", "Sales Rep", null, ComponentOrigins.Tenant, null, null, "{}", null, false, false)];
        var plan = InstallPlanner.Plan(Package, false, [Item("Role", "sales rep", "r"), Item("Object", "Deal", "d")], components,
            options: new InstallOptions(InstallModes.InstallOrUpgrade, RolesModes.Override, []));
        Assert.That(plan.Conflicts, Is.Empty);
        Assert.That(plan.Create.Select(c => c.Name), Is.EqualTo(new[] { "Deal" }), "the tenant's role is not created again");
        Assert.That(plan.Roles.Single().Note, Does.Contain("override"));
    }

    [Test]
    public void Roles_to_grant_must_exist_in_the_tenant()
    {
        TenantComponent[] components = [new(9, "Role", "Support", "Support", null, ComponentOrigins.Tenant, null, null, "{}", null, false, false)];
        var plan = InstallPlanner.Plan(Package, false, [Item("Object", "Ticket", "t")], components,
            options: new InstallOptions(InstallModes.InstallOrUpgrade, RolesModes.Merge, ["support", "Nobody"]));
        Assert.That(plan.Roles.Select(r => r.Name), Is.EqualTo(new[] { "Support" }));
        var error = plan.Errors.Single();
        Assert.That((error.ErrorType, error.Title, error.Items.Single().Name), Is.EqualTo(("DeployError", "Unknown Role", "Nobody")));
    }

    private static VersionContent Item(string type, string name, string sha) => new(type, name, sha);

    private static TenantComponent Packaged(long id, string type, string name, string sha, bool modified = false) =>
        new(id, type, name, name, null, ComponentOrigins.Package, Package, 70, "{}", sha, modified, false);
}
