using System.Text.Json;
using PushApi.Core.Packages.Contents;

namespace PushApi.UnitTests.Packages;

/// <summary>
/// Each row of the document's dependency tables, as an example written apart from <see cref="DependencyRules"/>:
/// the selected items, and the items that must then be included (type, name, included by).
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly (string Rule, WorkingItem[] Selected, (string Type, string Name, string By)[] Included)[] Examples =
    [
        ("application-objects", [Item("Application", "Sales", """{"objects": ["Account", "Deal"]}""")], [("Object", "Account", "Application Sales"), ("Object", "Deal", "Application Sales")]),
        ("application-tabs", [Item("Application", "Sales", """{"tabs": ["Deals"]}""")], [("WebTab", "Deals", "Application Sales")]),
        ("application-sidebars", [Item("Application", "Sales", """{"sidebars": ["Quick"]}""")], [("Sidebar", "Quick", "Application Sales")]),
        ("application-labels", [Item("Application", "Sales", """{"localizedLabels": ["French"]}""")], [("LocalizedLabels", "French", "Application Sales")]),
        ("webtab-components", [Item("WebTab", "Deals", """{"components": ["Chart"]}""")], [("Component", "Chart", "WebTab Deals")]),
        ("webtab-pages", [Item("WebTab", "Deals", """{"pages": ["Deal Page"]}""")], [("Page", "Deal Page", "WebTab Deals")]),
        ("webtab-widgets", [Item("WebTab", "Deals", """{"widgets": ["Clock"]}""")], [("Widget", "Clock", "WebTab Deals")]),
        ("site-pages", [Item("Site", "Portal", """{"pages": ["Home"]}""")], [("Page", "Home", "Site Portal")]),
        ("policy-roles", [Item("DataSharingPolicy", "Share", """{"roles": ["Manager"]}""")], [("Role", "Manager", "DataSharingPolicy Share")]),
        ("policy-teams", [Item("DataSharingPolicy", "Share", """{"teams": ["West"]}""")], [("Team", "West", "DataSharingPolicy Share")]),
        ("policy-child-teams",
            [Item("DataSharingPolicy", "Share", """{"teams": ["West"]}""", includeChildTeams: true), Item("Team", "West", """{"childTeams": ["Coast"]}"""), Item("Team", "Coast", """{"childTeams": ["Bay"]}""")],
            [("Team", "Bay", "DataSharingPolicy Share")]),
        ("opportunity-pricebooks", [Item("Opportunity", "Opportunity", "{}")], [("PriceBook", "PriceBook", "Opportunity Opportunity")]),
        ("opportunity-products", [Item("Opportunity", "Opportunity", """{"products": ["Widgets"]}""")], [("Product", "Widgets", "Opportunity Opportunity")]),
        ("product-pricebooks", [Item("Product", "Product", "{}")], [("PriceBook", "PriceBook", "Product Product")]),
        ("pricebook-products", [Item("PriceBook", "PriceBook", "{}")], [("Product", "Product", "PriceBook PriceBook")]),
        ("campaign-lists", [Item("Campaign", "Spring", "{}")], [("List", "List", "Campaign Spring")]),
        ("campaign-listmembers", [Item("Campaign", "Spring", "{}")], [("ListMember", "ListMember", "Campaign Spring")]),
        ("list-listmembers", [Item("List", "Prospects", "{}")], [("ListMember", "ListMember", "List Prospects")]),
        ("detail-master", [Item("Object", "Line", """{"masterDetail": {"master": "Order"}}""")], [("Object", "Order", "Object Line")]),
        ("master-rollups", [Item("Object", "Order", """{"rollupSummaryFields": ["Total"]}""")], [("RollupSummaryField", "Total", "Object Order")]),
        ("master-details",
            [Item("Object", "Order", """{"rollupSummaryFields": ["Total"]}"""), Item("RollupSummaryField", "Total", """{"object": "Order", "detail": "Line"}""")],
            [("Object", "Line", "Object Order")]),
        ("objectdata-object", [Item("ObjectData", "Seed", """{"object": "Account", "handlerClass": "Loader"}""")], [("Object", "Account", "ObjectData Seed")]),
        ("objectdata-handler", [Item("ObjectData", "Seed", """{"object": "Account", "handlerClass": "Loader"}""")], [("Class", "Loader", "ObjectData Seed")]),
    ];

    public static IEnumerable<TestCaseData> Rows() => Examples.Select(e => new TestCaseData(e.Rule, e.Selected, e.Included).SetName("Rule " + e.Rule));

    [TestCaseSource(nameof(Rows))]
    public void Selecting_an_item_includes_its_dependents(string rule, WorkingItem[] selected, (string Type, string Name, string By)[] included)
    {
        Assert.That(DependencyRules.All.Select(r => r.Id), Does.Contain(rule));
        var resolved = WorkingSet.Resolve(selected);
        foreach (var (type, name, by) in included)
        {
            var item = resolved.SingleOrDefault(i => i.Ref.Type == type && i.Ref.Name == name);
            Assert.That(item, Is.Not.Null, $"{type} {name} is included");
            Assert.That(item!.IncludedBy.Select(r => r.ToString()), Does.Contain(by));
        }
    }

    [Test]
    public void Every_rule_of_the_table_has_an_example()
    {
        Assert.That(DependencyRules.All.Select(r => r.Id), Is.EquivalentTo(Examples.Select(e => e.Rule)));
    }

    [Test]
    public void Without_include_child_teams_a_policy_brings_only_its_own_teams()
    {
        var resolved = WorkingSet.Resolve([Item("DataSharingPolicy", "Share", """{"teams": ["West"]}"""), Item("Team", "West", """{"childTeams": ["Coast"]}""")]);
        Assert.That(resolved.Select(i => i.Ref.Name), Is.EquivalentTo(new[] { "Share", "West" }));
    }

    [Test]
    public void A_master_without_rollup_summary_fields_does_not_bring_its_details()
    {
        var resolved = WorkingSet.Resolve([Item("Object", "Order", "{}"), Item("Object", "Line", """{"masterDetail": {"master": "Order"}}""")]);
        Assert.That(resolved.Single(i => i.Ref.Name == "Line").IncludedBy, Is.Empty);
    }

    [Test]
    public void Product_and_price_book_include_each_other_once()
    {
        var resolved = WorkingSet.Resolve([Item("Product", "Product", "{}")]);
        Assert.That(resolved.Select(i => i.Ref.ToString()), Is.EqualTo(new[] { "Product Product", "PriceBook PriceBook" }));
        Assert.That(resolved[0].IncludedBy.Select(r => r.ToString()), Is.EqualTo(new[] { "PriceBook PriceBook" }));
    }

    [Test]
    public void An_item_included_by_several_lists_each_of_them_and_a_selected_one_stays_selected()
    {
        var resolved = WorkingSet.Resolve([
            Item("Application", "Sales", """{"objects": ["Account"]}"""),
            Item("Application", "Service", """{"objects": ["account"]}"""),
            Item("Object", "Account", "{}"),
        ]);
        var account = resolved.Single(i => i.Ref.Type == "Object");
        Assert.That(account.Selected, Is.True);
        Assert.That(account.HasDefinition, Is.True);
        Assert.That(account.IncludedBy.Select(r => r.ToString()), Is.EqualTo(new[] { "Application Sales", "Application Service" }));
    }

    [Test]
    public void Removing_the_last_item_that_pulled_a_dependent_in_removes_it_unless_it_was_selected()
    {
        var withApp = WorkingSet.Resolve([Item("Application", "Sales", """{"objects": ["Deal", "Account"]}"""), Item("Object", "Account", "{}")]);
        Assert.That(withApp.Select(i => i.Ref.Name), Is.EquivalentTo(new[] { "Sales", "Deal", "Account" }));

        var withoutApp = WorkingSet.Resolve([Item("Object", "Account", "{}")]);
        Assert.That(withoutApp.Select(i => i.Ref.Name), Is.EqualTo(new[] { "Account" }));
    }

    [Test]
    public void A_definition_given_to_a_dependent_is_used_while_something_pulls_it_in()
    {
        var dependents = new[] { Item("Object", "Deal", """{"label": "Deal"}"""), Item("Object", "Orphan", "{}") };
        var pulled = WorkingSet.Resolve([Item("Application", "Sales", """{"objects": ["Deal"]}""")], dependents);
        var deal = pulled.Single(i => i.Ref.Name == "Deal");
        Assert.That((deal.Selected, deal.HasDefinition), Is.EqualTo((false, true)));
        Assert.That(pulled.Select(i => i.Ref.Name), Does.Not.Contain("Orphan"), "a dependent nothing pulls in is not part of the set");

        Assert.That(WorkingSet.Resolve([], dependents), Is.Empty);
    }

    [Test]
    public void Dependents_are_included_transitively()
    {
        var resolved = WorkingSet.Resolve([Item("Application", "Sales", """{"tabs": ["Deals"]}"""), Item("WebTab", "Deals", """{"pages": ["Deal Page"]}""")]);
        var page = resolved.Single(i => i.Ref.Type == "Page");
        Assert.That(page.IncludedBy.Select(r => r.ToString()), Is.EqualTo(new[] { "WebTab Deals" }));
        Assert.That(page.HasDefinition, Is.False);
    }

    internal static WorkingItem Item(string type, string name, string definition, bool checkedOut = false, bool includeChildTeams = false)
    {
        using var document = JsonDocument.Parse(definition);
        return new WorkingItem(new ItemRef(type, name), document.RootElement.Clone(), checkedOut, includeChildTeams);
    }
}
