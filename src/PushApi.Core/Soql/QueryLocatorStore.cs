using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

/// <summary>
/// Query locators (<c>01g…-2000</c>: a cursor id and the rows before the page) held in the database,
/// so that any instance can serve the next page: the statement in <c>query_cursors</c>, and the keyset
/// position where each page starts in <c>query_cursor_pages</c>.
/// </summary>
internal sealed class QueryLocatorStore(TimeProvider clock)
{
    /// <summary>A stored query and the keyset position of the page a locator points to.</summary>
    public sealed record Cursor(string Soql, int BatchSize, int TotalSize, JsonArray AfterKey);

    public static string Format(string cursorId, int position) => cursorId + "-" + position.ToString(CultureInfo.InvariantCulture);

    public static (string CursorId, int Position) Parse(string locator)
    {
        var separator = locator.LastIndexOf('-');
        if (separator <= 0 || !int.TryParse(locator.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            throw InvalidLocator();
        }

        return (locator[..separator], position);
    }

    public static SoqlException InvalidLocator() => new(SoqlException.InvalidQueryLocator, "invalid query locator");

    /// <summary>Stores a query whose first page has been read, and drops expired ones on the way.</summary>
    /// <returns>The locator of the second page.</returns>
    public async Task<string> CreateAsync(NpgsqlConnection connection, string soql, long userId, int batchSize, int totalSize, int firstPageSize, JsonArray lastKey, CancellationToken cancellationToken)
    {
        var cursorId = "01g" + Base62.Random(15);
        var now = clock.Now();
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(Command(
                "DELETE FROM query_cursors WHERE last_used_at < $1",
                new NpgsqlParameter { Value = now - SoqlEngine.LocatorIdleTimeout }));
            batch.BatchCommands.Add(Command(
                "INSERT INTO query_cursors (id, user_id, soql, batch_size, total_size, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                new NpgsqlParameter { Value = cursorId },
                new NpgsqlParameter { Value = userId },
                new NpgsqlParameter { Value = soql },
                new NpgsqlParameter { Value = batchSize },
                new NpgsqlParameter { Value = totalSize },
                new NpgsqlParameter { Value = now }));
            batch.BatchCommands.Add(PageCommand(cursorId, firstPageSize, lastKey));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        return Format(cursorId, firstPageSize);
    }

    /// <summary>The stored query and where the page starts; the locator counts as used from now.</summary>
    /// <exception cref="SoqlException">INVALID_QUERY_LOCATOR: not this user's, expired, or no such page.</exception>
    public async Task<Cursor> ResumeAsync(NpgsqlConnection connection, string cursorId, int position, long userId, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        await using var command = new NpgsqlCommand(
            """
            UPDATE query_cursors c SET last_used_at = $4
            FROM query_cursor_pages p
            WHERE c.id = $1 AND c.user_id = $2 AND c.last_used_at >= $5 AND p.cursor_id = c.id AND p.position = $3
            RETURNING c.soql, c.batch_size, c.total_size, p.after_key::text
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = cursorId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = now - SoqlEngine.LocatorIdleTimeout });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw InvalidLocator();
        }

        return new Cursor(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), JsonNode.Parse(reader.GetString(3))!.AsArray());
    }

    /// <summary>Records where the page at <paramref name="position"/> starts; a client that asks for the same page twice writes it once.</summary>
    public static async Task AddPageAsync(NpgsqlConnection connection, string cursorId, int position, JsonArray afterKey, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlBatch(connection);
        insert.BatchCommands.Add(PageCommand(cursorId, position, afterKey, onConflictDoNothing: true));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlBatchCommand PageCommand(string cursorId, int position, JsonArray afterKey, bool onConflictDoNothing = false) => Command(
        "INSERT INTO query_cursor_pages (cursor_id, position, after_key) VALUES ($1, $2, $3::jsonb)" + (onConflictDoNothing ? " ON CONFLICT DO NOTHING" : ""),
        new NpgsqlParameter { Value = cursorId },
        new NpgsqlParameter { Value = position },
        new NpgsqlParameter { Value = afterKey.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Text });
}
