using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

/// <summary>Reads one page of a compiled query, with its child sub-query results, and counts all its rows.</summary>
internal static class QueryPageReader
{
    /// <summary>A page's records, whether more follow, and the sort key values of its last row when the page is full (where the next page starts).</summary>
    public sealed record Page(List<SoqlRecord> Records, bool More, JsonArray? LastKey);

    /// <summary>
    /// The page after <paramref name="afterKey"/> (the first page when null); <paramref name="position"/> is the number of rows before it, for LIMIT.
    /// <paramref name="rowsLeft"/> is what a locator's <c>totalSize</c> leaves after <paramref name="position"/>: when a page holds them all, it is the last.
    /// </summary>
    public static async Task<Page> ReadAsync(NpgsqlConnection connection, CompiledQuery query, JsonArray? afterKey, int position, int batchSize, CancellationToken cancellationToken, int? rowsLeft = null)
    {
        var take = query.Limit is { } limit ? Math.Min(batchSize, Math.Max(0, limit - position)) : batchSize;

        // The last page by the locator's count reads its rows and asks for no row more: the one more row that tells
        // whether another page follows cannot be found when the query's rows end before the index does, so PostgreSQL
        // looked for it to the end (P6: the last page of a request's jobs, read along the primary key, then read every
        // job of every later request, 0.3-0.6 s). Rows added after the count are not returned: the pages add up to totalSize.
        var last = rowsLeft is { } left && left > 0 && left <= take;
        if (last)
        {
            take = rowsLeft!.Value;
        }

        if (take == 0)
        {
            return new Page([], false, null);
        }

        var parameters = query.CloneParameters();
        var conditions = new List<string>();
        if (query.Where is not null)
        {
            conditions.Add(query.Where);
        }

        if (afterKey is not null)
        {
            conditions.Add(KeysetPaging.RowsAfter(query.Keys, afterKey, parameters));
        }

        var sql = new StringBuilder()
            .Append("SELECT ").AppendJoin(", ", query.Columns)
            .Append(" FROM ").Append(query.From);
        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        // One row more than the page tells whether another page follows (not on the last page by the count, above).
        sql.Append(" ORDER BY ").AppendJoin(", ", query.Keys.Select(KeysetPaging.OrderBy))
            .Append(CultureInfo.InvariantCulture, $" LIMIT {(last ? take : take + 1)}");
        if (afterKey is null && query.Offset is > 0)
        {
            sql.Append(CultureInfo.InvariantCulture, $" OFFSET {query.Offset}");
        }

        // Not sized to the page: a retrieve by id asks a page of 2,000 for one row, and 16 KB of empty slots a call was the
        // REST front end's largest allocation (P17). A full page grows the list a few times instead.
        var records = new List<SoqlRecord>(Math.Min(take, 64));
        JsonArray? lastKey = null;
        var more = false;
        await using (var command = new NpgsqlCommand(sql.ToString(), connection))
        {
            command.Parameters.AddRange(parameters.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (records.Count == take)
                {
                    more = query.Limit is not { } l || position + take < l;
                    break;
                }

                records.Add(SoqlRecordReader.Read(reader, query));
                if (records.Count == take)
                {
                    // Only a full page can have more after it, so only its last row's key is ever used: not one key a row.
                    lastKey = KeysetPaging.ReadKey(reader, query.Keys);
                }
            }
        }

        foreach (var child in query.Children)
        {
            await AttachChildrenAsync(connection, query, child, records, cancellationToken);
        }

        return new Page(records, more, lastKey);
    }

    /// <summary>All the rows the query selects, within its LIMIT and OFFSET (a locator's totalSize).</summary>
    public static async Task<int> CountAsync(NpgsqlConnection connection, CompiledQuery query, CancellationToken cancellationToken)
    {
        var inner = new StringBuilder($"SELECT 1 FROM {query.From}");
        if (query.Where is not null)
        {
            inner.Append(" WHERE ").Append(query.Where);
        }

        if (query.Limit is { } limit)
        {
            inner.Append(CultureInfo.InvariantCulture, $" LIMIT {limit}");
        }

        if (query.Offset is > 0)
        {
            inner.Append(CultureInfo.InvariantCulture, $" OFFSET {query.Offset}");
        }

        await using var command = new NpgsqlCommand($"SELECT count(*) FROM ({inner}) q", connection);
        command.Parameters.AddRange(query.CloneParameters().ToArray());
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Runs a child sub-query once for all the page's parents (its LIMIT per parent) and puts each
    /// parent's rows in its placeholder; a parent without rows gets null, as on Salesforce.
    /// </summary>
    private static async Task AttachChildrenAsync(NpgsqlConnection connection, CompiledQuery parent, ChildNode child, List<SoqlRecord> records, CancellationToken cancellationToken)
    {
        var ids = records.Select(r => SalesforceId.TryParseNumber(r.Id, parent.Root.KeyPrefix, out var n) ? n : 0).Where(n => n > 0).ToArray();
        var byParent = new Dictionary<long, List<SoqlRecord>>();
        if (ids.Length > 0)
        {
            var query = child.Query;
            var parameters = query.CloneParameters();
            parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            var parentIds = "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            var where = $"{child.ParentKeyColumn} = ANY({parentIds})" + (query.Where is null ? "" : " AND " + query.Where);
            var order = string.Join(", ", query.Keys.Select(KeysetPaging.OrderBy));
            var columns = string.Join(", ", query.Columns) + $", {child.ParentKeyColumn} AS parent_key";
            var sql = query.Limit is { } limit
                ? $"SELECT * FROM (SELECT {columns}, row_number() OVER (PARTITION BY {child.ParentKeyColumn} ORDER BY {order}) AS child_row FROM {query.From} WHERE {where}) q WHERE child_row <= {limit} ORDER BY parent_key, child_row"
                : $"SELECT {columns} FROM {query.From} WHERE {where} ORDER BY {child.ParentKeyColumn}, {order}";
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddRange(parameters.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var parentKeyOrdinal = query.Columns.Count;
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = reader.GetInt64(parentKeyOrdinal);
                if (!byParent.TryGetValue(key, out var list))
                {
                    byParent[key] = list = [];
                }

                list.Add(SoqlRecordReader.Read(reader, query));
            }
        }

        foreach (var record in records)
        {
            SalesforceId.TryParseNumber(record.Id, parent.Root.KeyPrefix, out var key);
            var index = record.Fields.FindIndex(f => f.Key == child.Name);
            var children = byParent.GetValueOrDefault(key);
            record.Fields[index] = new(child.Name, children is null ? null : new SoqlResult(children.Count, true, null, children));
        }
    }
}
