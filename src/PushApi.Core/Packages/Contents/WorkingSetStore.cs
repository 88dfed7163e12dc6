using System.Text.Json;
using Npgsql;

namespace PushApi.Core.Packages.Contents;

/// <summary>Reads a package's stored (selected) items, in the order they were added.</summary>
public static class WorkingSetStore
{
    public static async Task<IReadOnlyList<StoredItem>> LoadAsync(NpgsqlConnection connection, long package, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, type, name, definition::text, checked_out, include_child_teams FROM package_items WHERE package_id = $1 ORDER BY id", connection);
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
                text));
        }

        return items;
    }
}

/// <summary>A stored item: its row id, the item, and its definition exactly as given.</summary>
public sealed record StoredItem(long Id, WorkingItem Item, string DefinitionText);
