using PushApi.Core.Packages.Contents;
using static PushApi.UnitTests.Packages.DependencyRulesTests;

namespace PushApi.UnitTests.Packages;

/// <summary>Each criterion and limitation of the document, with an item that breaks it and one that passes.</summary>
public sealed class PackageCriteriaTests
{
    private static readonly (string Rule, WorkingItem[] Breaks, WorkingItem[] Passes)[] Examples =
    [
        ("definition-missing", [Item("Application", "Sales", """{"objects": ["Deal"]}""")], [Item("Application", "Sales", """{"objects": ["Deal"]}"""), Item("Object", "Deal", "{}")]),
        ("user-item", [Item("User", "jane", "{}")], [Item("Role", "jane", "{}")]),
        ("checked-out", [Item("Class", "Billing", "{}", checkedOut: true)], [Item("Class", "Billing", "{}")]),
        ("report-folder-visibility", [Item("Report", "Pipeline", """{"folderVisibility": "teams"}""")], [Item("Report", "Pipeline", """{"folderVisibility": "everyone"}""")]),
        ("view-visibility", [Item("View", "Mine", """{"object": "Deal", "visibility": "users"}"""), Item("Object", "Deal", "{}")],
            [Item("View", "Mine", """{"object": "Deal", "visibility": "everyone"}"""), Item("Object", "Deal", "{}")]),
        ("visible-roles-present", [Item("Report", "Pipeline", """{"folderVisibility": "roles", "roles": ["Manager"]}""")],
            [Item("Report", "Pipeline", """{"folderVisibility": "roles", "roles": ["Manager"]}"""), Item("Role", "Manager", "{}")]),
        ("field-object", [Item("Field", "Deal.Amount", """{"object": "Deal"}""")], [Item("Field", "Deal.Amount", """{"object": "Deal"}"""), Item("Object", "Deal", "{}")]),
    ];

    public static IEnumerable<TestCaseData> Rows() => Examples.Select(e => new TestCaseData(e.Rule, e.Breaks, e.Passes).SetName("Criterion " + e.Rule));

    [TestCaseSource(nameof(Rows))]
    public void A_package_breaking_the_criterion_is_refused_and_one_meeting_it_is_not(string rule, WorkingItem[] breaks, WorkingItem[] passes)
    {
        Assert.That(PackageCriteria.Check(WorkingSet.Resolve(breaks), []).Select(p => p.Rule), Does.Contain(rule));
        Assert.That(PackageCriteria.Check(WorkingSet.Resolve(passes), []).Select(p => p.Rule), Does.Not.Contain(rule));
    }

    [Test]
    public void Every_criterion_has_an_example()
    {
        Assert.That(PackageCriteria.All.Select(r => r.Id), Is.EquivalentTo(Examples.Select(e => e.Rule)));
    }

    [Test]
    public void Every_problem_is_reported_with_its_item()
    {
        var problems = PackageCriteria.Check(
            WorkingSet.Resolve([
                Item("Application", "Sales", """{"objects": ["Deal"]}"""),
                Item("User", "jane", "{}"),
                Item("Field", "Quote.Amount", """{"object": "Quote"}""", checkedOut: true),
            ]),
            []);
        Assert.That(
            problems.Select(p => $"{p.ItemType} {p.ItemName}: {p.Rule}"),
            Is.EquivalentTo(new[]
            {
                "Object Deal: definition-missing",
                "User jane: user-item",
                "Field Quote.Amount: checked-out",
                "Field Quote.Amount: field-object",
            }));
        Assert.That(problems.Single(p => p.Rule == "definition-missing").Message, Is.EqualTo("Object Deal, included by Application Sales, has no definition."));
    }

    [Test]
    public void A_field_whose_object_comes_from_a_needed_package_passes()
    {
        var problems = PackageCriteria.Check(WorkingSet.Resolve([Item("Field", "Deal.Amount", """{"object": "deal"}""")]), [new ItemRef("Object", "Deal")]);
        Assert.That(problems, Is.Empty);
    }
}
