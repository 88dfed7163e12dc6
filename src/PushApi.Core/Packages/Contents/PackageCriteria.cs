using PushApi.Core.Errors;

namespace PushApi.Core.Packages.Contents;

/// <summary>
/// The document's package criteria and limitations, checked before a version is published: every
/// problem is reported, item by item, so one attempt shows everything to fix.
/// </summary>
public static class PackageCriteria
{
    public static IReadOnlyList<CriteriaRule> All { get; } =
    [
        new("definition-missing", "An item pulled in by another needs a definition of its own.", (item, _) =>
            item.HasDefinition ? null : $"{item.Ref}, included by {string.Join(", ", item.IncludedBy)}, has no definition."),
        new("user-item", "Users are not included in packages.", (item, _) =>
            item.Ref.Type == ItemTypes.User ? $"{item.Ref}: users are not included in packages and must be re-created in the new instance." : null),
        new("checked-out", "A checked-out item cannot be packaged until it is checked in.", (item, _) =>
            item.Item.CheckedOut ? $"{item.Ref} is checked out; check it in (commit it) before publishing." : null),
        new("report-folder-visibility", "Only reports in folders visible to everyone or to roles can be packaged.", (item, _) =>
            item.Ref.Type == ItemTypes.Report && ItemDefinitions.NameOf(item.Item.Definition, "folderVisibility") is "users" or "teams"
                ? $"{item.Ref} is in a folder visible to {ItemDefinitions.NameOf(item.Item.Definition, "folderVisibility")}; only folders visible to everyone or to roles can be packaged."
                : null),
        new("view-visibility", "Only views visible to everyone or to selected roles can be packaged.", (item, _) =>
            item.Ref.Type == ItemTypes.View && ItemDefinitions.NameOf(item.Item.Definition, "visibility") == "users"
                ? $"{item.Ref} is visible to selected users; only views visible to everyone or to selected roles can be packaged."
                : null),
        new("visible-roles-present", "Roles a report folder or a view is visible to must be in the package or a package it needs.", MissingRoles),
        new("field-object", "A field's object must be in the package or in a package it needs.", (item, context) =>
            item.Ref.Type == ItemTypes.Field && ItemDefinitions.NameOf(item.Item.Definition, "object") is { } obj && !context.Has(new ItemRef(ItemTypes.Object, obj))
                ? $"{item.Ref} belongs to object {obj}, which is neither in the package nor in a package it needs."
                : null),
    ];

    public static IReadOnlyList<RuleProblem> Check(IReadOnlyList<IncludedItem> items, IReadOnlyCollection<ItemRef> fromNeededPackages)
    {
        var context = new CriteriaContext(items.Select(i => i.Ref).Concat(fromNeededPackages));
        return items
            .SelectMany(item => All
                .Select(rule => (rule, message: rule.Check(item, context)))
                .Where(r => r.message is not null)
                .Select(r => new RuleProblem(r.rule.Id, r.message!, item.Ref.Type, item.Ref.Name)))
            .ToList();
    }

    private static string? MissingRoles(IncludedItem item, CriteriaContext context)
    {
        var visibility = item.Ref.Type switch
        {
            ItemTypes.Report => ItemDefinitions.NameOf(item.Item.Definition, "folderVisibility"),
            ItemTypes.View => ItemDefinitions.NameOf(item.Item.Definition, "visibility"),
            _ => null,
        };
        if (visibility != "roles")
        {
            return null;
        }

        var missing = ItemDefinitions.NamesOf(item.Item.Definition, "roles").Where(r => !context.Has(new ItemRef(ItemTypes.Role, r))).ToList();
        return missing.Count == 0 ? null : $"{item.Ref} is visible to role {string.Join(", ", missing)}, which is neither in the package nor in a package it needs.";
    }
}

/// <summary>One criterion: <see cref="Check"/> returns the problem's message for an item, or null when it passes.</summary>
public sealed record CriteriaRule(string Id, string Description, Func<IncludedItem, CriteriaContext, string?> Check);

/// <summary>What the criteria see beyond one item: the items of the package and of the packages it needs.</summary>
public sealed class CriteriaContext(IEnumerable<ItemRef> available)
{
    private readonly HashSet<(string, string)> _available = available.Select(Key).ToHashSet();

    public bool Has(ItemRef item) => _available.Contains(Key(item));

    private static (string, string) Key(ItemRef item) => (item.Type, item.Name.ToUpperInvariant());
}
