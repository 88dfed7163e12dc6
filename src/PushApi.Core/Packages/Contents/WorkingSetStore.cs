using System.Text.Json;
using Npgsql;

namespace PushApi.Core.Packages.Contents;

/// <summary>Reads a package's stored (selected) items, in the order they were added.</summary>
public static class WorkingSetStore
{
    public static async Task<IReadOnlyList<StoredItem>> LoadAsync(NpgsqlConnection connection, long package, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, type, name, definition::text, checked_out, include_child_teams, selected FROM package_items WHERE package_id = $1 ORDER BY id", connection);
        command.Parameters.Add(new() { Value = package });
        var items = new List<StoredItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var text = reader.GetString(3);
            using var document = JsonDocument.Parse(text);
            items.Add(new StoredItem(
                reader.GetInt64(0),
                new WorkingItem(new ItemRef(reader.GetString(1), reader.GetString(2)), document.RootElement.Clone(), reader.GetBoolean(4), reader.GetBoolean(5)),
                text,
                reader.GetBoolean(6)));
        }

        return items;
    }

    /// <summary>The stored items resolved: the selected ones with what they pull in (definitions given to dependents used).</summary>
    public static IReadOnlyList<IncludedItem> Resolve(IReadOnlyList<StoredItem> stored) =>
        WorkingSet.Resolve(stored.Where(s => s.Selected).Select(s => s.Item).ToList(), stored.Where(s => !s.Selected).Select(s => s.Item).ToList());

    /// <summary>Stored definitions of dependents that nothing pulls in any more, to be removed with what pulled them in.</summary>
    public static IReadOnlyList<long> Orphans(IReadOnlyList<StoredItem> stored, IReadOnlyList<IncludedItem> resolved)
    {
        var reached = resolved.Select(i => (i.Ref.Type, i.Ref.Name.ToUpperInvariant())).ToHashSet();
        return stored.Where(s => !s.Selected && !reached.Contains((s.Item.Ref.Type, s.Item.Ref.Name.ToUpperInvariant()))).Select(s => s.Id).ToList();
    }
}

/// <summary>A stored item: its row id, the item, its definition exactly as given, and whether it was selected for itself.</summary>
public sealed record StoredItem(long Id, WorkingItem Item, string DefinitionText, bool Selected = true);
