namespace PushApi.Core.Packages.Contents;

/// <summary>
/// The document's dependency tables, as one table: selecting an item of <see cref="DependencyRule.From"/>
/// includes the items of <see cref="DependencyRule.To"/> its rule names. Where a special dependency's
/// definition names no element, the built-in element named like its type (Product, PriceBook, List,
/// ListMember) is meant.
/// </summary>
public static class DependencyRules
{
    public static IReadOnlyList<DependencyRule> All { get; } =
    [
        Listed("application-objects", ItemTypes.Application, ItemTypes.Object, "objects", "An application brings its objects."),
        Listed("application-tabs", ItemTypes.Application, ItemTypes.WebTab, "tabs", "An application brings its web tabs."),
        Listed("application-sidebars", ItemTypes.Application, ItemTypes.Sidebar, "sidebars", "An application brings its sidebars and their assignments."),
        Listed("application-labels", ItemTypes.Application, ItemTypes.LocalizedLabels, "localizedLabels", "An application brings its localized labels."),
        Listed("webtab-components", ItemTypes.WebTab, ItemTypes.Component, "components", "A web tab brings its components."),
        Listed("webtab-pages", ItemTypes.WebTab, ItemTypes.Page, "pages", "A web tab brings its pages."),
        Listed("webtab-widgets", ItemTypes.WebTab, ItemTypes.Widget, "widgets", "A web tab brings its widgets."),
        Listed("site-pages", ItemTypes.Site, ItemTypes.Page, "pages", "A site brings its pages."),
        Listed("policy-roles", ItemTypes.DataSharingPolicy, ItemTypes.Role, "roles", "A data sharing policy brings its roles."),
        Listed("policy-teams", ItemTypes.DataSharingPolicy, ItemTypes.Team, "teams", "A data sharing policy brings its teams."),
        new("policy-child-teams", ItemTypes.DataSharingPolicy, ItemTypes.Team,
            "With Include Child Teams set, a data sharing policy brings the child teams of its teams, at every depth.", ChildTeams),
        Special("opportunity-pricebooks", ItemTypes.Opportunity, ItemTypes.PriceBook, "priceBooks", "An opportunity brings the price book."),
        Special("opportunity-products", ItemTypes.Opportunity, ItemTypes.Product, "products", "An opportunity brings the product."),
        Special("product-pricebooks", ItemTypes.Product, ItemTypes.PriceBook, "priceBooks", "A product brings the price book."),
        Special("pricebook-products", ItemTypes.PriceBook, ItemTypes.Product, "products", "A price book brings the product."),
        Special("campaign-lists", ItemTypes.Campaign, ItemTypes.List, "lists", "A campaign brings the list."),
        Special("campaign-listmembers", ItemTypes.Campaign, ItemTypes.ListMember, "listMembers", "A campaign brings the list member."),
        Special("list-listmembers", ItemTypes.List, ItemTypes.ListMember, "listMembers", "A list brings the list member."),
        new("detail-master", ItemTypes.Object, ItemTypes.Object,
            "A detail object of a master-detail relationship brings its master.",
            (item, _) => ItemDefinitions.NameOf(ItemDefinitions.Child(item.Definition, "masterDetail"), "master") is { } master ? [master] : []),
        Listed("master-rollups", ItemTypes.Object, ItemTypes.RollupSummaryField, "rollupSummaryFields", "An object brings its rollup summary fields."),
        new("master-details", ItemTypes.Object, ItemTypes.Object,
            "A master object with rollup summary fields brings its detail objects.", Details),
        Listed("objectdata-object", ItemTypes.ObjectData, ItemTypes.Object, "object", "Package data brings the object it fills.", single: true),
        Listed("objectdata-handler", ItemTypes.ObjectData, ItemTypes.Class, "handlerClass", "Package data brings its data handler class.", single: true),
    ];

    private static DependencyRule Listed(string id, string from, string to, string field, string description, bool single = false) =>
        new(id, from, to, description, (item, _) => single
            ? ItemDefinitions.NameOf(item.Definition, field) is { } name ? [name] : []
            : ItemDefinitions.NamesOf(item.Definition, field));

    /// <summary>A CRM special dependency: the elements the definition names, or the built-in one.</summary>
    private static DependencyRule Special(string id, string from, string to, string field, string description) =>
        new(id, from, to, description, (item, _) =>
        {
            var named = ItemDefinitions.NamesOf(item.Definition, field).ToList();
            return named.Count > 0 ? named : [to];
        });

    private static IEnumerable<string> ChildTeams(WorkingItem policy, IReadOnlyList<WorkingItem> defined)
    {
        if (!policy.IncludeChildTeams)
        {
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<string>(ItemDefinitions.NamesOf(policy.Definition, "teams"));
        while (pending.TryDequeue(out var team))
        {
            var found = defined.FirstOrDefault(i => i.Ref.Matches(new ItemRef(ItemTypes.Team, team)));
            foreach (var child in ItemDefinitions.NamesOf(found?.Definition, "childTeams"))
            {
                if (seen.Add(child))
                {
                    pending.Enqueue(child);
                    yield return child;
                }
            }
        }
    }

    private static IEnumerable<string> Details(WorkingItem master, IReadOnlyList<WorkingItem> defined)
    {
        var rollups = ItemDefinitions.NamesOf(master.Definition, "rollupSummaryFields").ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (rollups.Count == 0)
        {
            return [];
        }

        var byMasterDetail = defined
            .Where(i => i.Ref.Type == ItemTypes.Object
                && string.Equals(ItemDefinitions.NameOf(ItemDefinitions.Child(i.Definition, "masterDetail"), "master"), master.Ref.Name, StringComparison.OrdinalIgnoreCase))
            .Select(i => i.Ref.Name);
        var byRollup = defined
            .Where(i => i.Ref.Type == ItemTypes.RollupSummaryField && rollups.Contains(i.Ref.Name))
            .Select(i => ItemDefinitions.NameOf(i.Definition, "detail"))
            .OfType<string>();
        return byMasterDetail.Concat(byRollup).Distinct(StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>
/// One row of <see cref="DependencyRules"/>: <see cref="Targets"/> names the <see cref="To"/> items an
/// item of <see cref="From"/> brings, given the items defined in the package.
/// </summary>
public sealed record DependencyRule(
    string Id,
    string From,
    string To,
    string Description,
    Func<WorkingItem, IReadOnlyList<WorkingItem>, IEnumerable<string>> Targets);

/// <summary>An item of a working set: <see cref="Definition"/> is null for an item only pulled in by another.</summary>
public sealed record WorkingItem(ItemRef Ref, System.Text.Json.JsonElement? Definition, bool CheckedOut = false, bool IncludeChildTeams = false);
