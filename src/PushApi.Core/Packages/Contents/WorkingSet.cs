namespace PushApi.Core.Packages.Contents;

/// <summary>
/// A package's items with everything they pull in: the selected items, then, by <see cref="DependencyRules"/>,
/// their dependents (and theirs), each with the items that included it. A dependent takes its definition
/// from the dependents given to <see cref="Resolve"/> (definitions given to items that are only pulled in); one nothing pulls
/// in is not part of the set, so removing the last item that pulled a dependent in removes it, unless it was
/// selected itself.
/// </summary>
public static class WorkingSet
{
    public static IReadOnlyList<IncludedItem> Resolve(IReadOnlyList<WorkingItem> selected, IReadOnlyList<WorkingItem>? dependents = null)
    {
        dependents ??= [];
        var defined = dependents.Count == 0 ? selected : selected.Concat(dependents).ToList();
        var definitions = new Dictionary<(string, string), WorkingItem>();
        foreach (var item in dependents)
        {
            definitions.TryAdd(Key(item.Ref), item);
        }

        var entries = new List<Entry>();
        var byRef = new Dictionary<(string, string), Entry>();
        foreach (var item in selected)
        {
            var entry = new Entry(item, Selected: true);
            entries.Add(entry);
            byRef[Key(item.Ref)] = entry;
        }

        var pending = new Queue<Entry>(entries);
        while (pending.TryDequeue(out var entry))
        {
            foreach (var rule in DependencyRules.All.Where(r => r.From == entry.Item.Ref.Type))
            {
                foreach (var name in rule.Targets(entry.Item, defined))
                {
                    var target = new ItemRef(rule.To, name);
                    if (target.Matches(entry.Item.Ref))
                    {
                        continue;
                    }

                    if (!byRef.TryGetValue(Key(target), out var dependent))
                    {
                        dependent = new Entry(definitions.GetValueOrDefault(Key(target)) ?? new WorkingItem(target, null), Selected: false);
                        entries.Add(dependent);
                        byRef[Key(target)] = dependent;
                        pending.Enqueue(dependent);
                    }

                    if (!dependent.IncludedBy.Any(r => r.Matches(entry.Item.Ref)))
                    {
                        dependent.IncludedBy.Add(entry.Item.Ref);
                    }
                }
            }
        }

        return entries.Select(e => new IncludedItem(e.Item, e.Selected, e.IncludedBy)).ToList();
    }

    private static (string, string) Key(ItemRef item) => (item.Type, item.Name.ToUpperInvariant());

    private sealed record Entry(WorkingItem Item, bool Selected)
    {
        public List<ItemRef> IncludedBy { get; } = [];
    }
}

/// <summary>
/// An item of a resolved working set. <see cref="Item"/>'s definition is null when the item was only pulled
/// in and has no definition of its own; <see cref="IncludedBy"/> is empty for an item only selected.
/// </summary>
public sealed record IncludedItem(WorkingItem Item, bool Selected, IReadOnlyList<ItemRef> IncludedBy)
{
    public ItemRef Ref => Item.Ref;

    public bool HasDefinition => Item.Definition is not null;
}
