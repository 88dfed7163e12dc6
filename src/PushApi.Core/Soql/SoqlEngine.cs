using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

/// <summary>
/// Runs SOQL: parse, check against the catalog, translate to parameterised SQL, read pages of records
/// with their parents and child sub-query results. A query with more rows than one page leaves a
/// locator in the database (any instance can serve the next page); pages continue by keyset (the
/// ORDER BY values of the last row, then the id), never by OFFSET, and a locator unused for
/// <see cref="LocatorIdleTimeout"/> expires.
/// </summary>
public sealed partial class SoqlEngine(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int DefaultBatchSize = 2000;
    public const int MinBatchSize = 200;
    public const int MaxBatchSize = 2000;
    public static readonly TimeSpan LocatorIdleTimeout = TimeSpan.FromMinutes(15);

    private readonly QueryLocatorStore _locators = new(clock);

    /// <summary>The first page of a query.</summary>
    /// <param name="soql">The statement.</param>
    /// <param name="userId">Who asks; only they can follow the locator.</param>
    /// <param name="batchSize">Rows per page, clamped to 200..2000.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    public async Task<SoqlResult> QueryAsync(string soql, long userId, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        var compiled = Compile(soql);
        batchSize = Math.Clamp(batchSize, MinBatchSize, MaxBatchSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (compiled.IsAggregate)
        {
            return await AggregateResultReader.ReadAsync(connection, compiled, cancellationToken);
        }

        var page = await ReadPageAsync(connection, compiled, afterKey: null, position: 0, batchSize, cancellationToken);
        if (!page.More)
        {
            return new SoqlResult(page.Records.Count, true, null, page.Records);
        }

        var total = await CountAsync(connection, compiled, cancellationToken);
        var locator = await _locators.CreateAsync(connection, soql, userId, batchSize, total, page.Records.Count, page.LastKey!, cancellationToken);
        return new SoqlResult(total, false, locator, page.Records);
    }

    /// <summary>The page a locator (<c>01g…-2000</c>) points to.</summary>
    public async Task<SoqlResult> QueryMoreAsync(string locator, long userId, CancellationToken cancellationToken = default)
    {
        var (cursorId, position) = QueryLocatorStore.Parse(locator);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var cursor = await _locators.ResumeAsync(connection, cursorId, position, userId, cancellationToken);
        var compiled = Compile(cursor.Soql);
        var page = await ReadPageAsync(connection, compiled, cursor.AfterKey, position, cursor.BatchSize, cancellationToken);
        var next = position + page.Records.Count;
        if (!page.More)
        {
            return new SoqlResult(cursor.TotalSize, true, null, page.Records);
        }

        await QueryLocatorStore.AddPageAsync(connection, cursorId, next, page.LastKey!, cancellationToken);
        return new SoqlResult(cursor.TotalSize, false, QueryLocatorStore.Format(cursorId, next), page.Records);
    }

    /// <summary>
    /// Every row of a query, read page by page without a locator (the Bulk API's query results), each
    /// given with the query's columns flattened as CSV names them (<c>PackageVersion.Name</c>).
    /// </summary>
    /// <returns>The number of rows.</returns>
    /// <exception cref="SoqlException">The statement is wrong, or is one CSV cannot hold (a child sub-query or an aggregate).</exception>
    public async Task<int> ReadAllAsync(string soql, string expectedObject, Func<IReadOnlyList<string>, SoqlRecord, ValueTask> onRecord, CancellationToken cancellationToken = default)
    {
        var compiled = Compile(soql);
        if (!string.Equals(compiled.Root.Name, expectedObject, StringComparison.Ordinal))
        {
            throw new SoqlException("InvalidBatch", $"The query reads {compiled.Root.Name} but the job is a {expectedObject} job.");
        }

        if (compiled.IsAggregate || compiled.IsCountOnly)
        {
            throw new SoqlException("FeatureNotEnabled", "Aggregate queries are not supported by the Bulk API; use the REST query resource.");
        }

        if (compiled.Children.FirstOrDefault() is { } child)
        {
            throw new SoqlException("FeatureNotEnabled", $"Cannot serialize value for '{child.Name}' in CSV format: child sub-queries are not supported by the Bulk API.");
        }

        var columns = new List<string>();
        Flatten(compiled.Output, "", columns);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        JsonArray? afterKey = null;
        var count = 0;
        while (true)
        {
            var page = await ReadPageAsync(connection, compiled, afterKey, count, MaxBatchSize, cancellationToken);
            foreach (var record in page.Records)
            {
                await onRecord(columns, record);
            }

            count += page.Records.Count;
            if (!page.More)
            {
                return count;
            }

            afterKey = page.LastKey;
        }

        static void Flatten(List<OutputNode> nodes, string prefix, List<string> columns)
        {
            foreach (var node in nodes)
            {
                if (node is ParentNode parent)
                {
                    Flatten(parent.Children, prefix + parent.Name + ".", columns);
                }
                else
                {
                    columns.Add(prefix + node.Name);
                }
            }
        }
    }

    /// <summary>Records by id, in the order asked, null where no record has the id (REST retrieve, SOAP retrieve, composite).</summary>
    public async Task<IReadOnlyList<SoqlRecord?>> RetrieveAsync(SObjectDescriptor type, IReadOnlyList<string> ids, IReadOnlyList<string>? fields, long userId, CancellationToken cancellationToken = default)
    {
        var wanted = ids.Select(id => SalesforceId.TryParse(id, out var parsed) && parsed.Prefix == type.KeyPrefix ? parsed.Id18 : null).ToList();
        var valid = wanted.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var selected = fields is { Count: > 0 } ? fields : type.Fields.Select(f => f.Name).ToList();
        if (selected.FirstOrDefault(f => !FieldName().IsMatch(f)) is { } bad)
        {
            throw new SoqlException(SoqlException.InvalidField, $"No such column '{bad}' on entity '{type.Name}'.");
        }

        var found = new Dictionary<string, SoqlRecord>(StringComparer.Ordinal);
        foreach (var chunk in valid.Chunk(MaxBatchSize))
        {
            // The field names are checked by the compiler like any query's; the ids are quoted literals.
            var soql = $"SELECT {string.Join(", ", selected)} FROM {type.Name} WHERE Id IN ({string.Join(", ", chunk.Select(id => "'" + id + "'"))})";
            var result = await QueryAsync(soql, userId, MaxBatchSize, cancellationToken);
            foreach (var record in result.Records)
            {
                found[record.Id!] = record;
            }
        }

        return wanted.Select(id => id is not null && found.TryGetValue(id, out var record) ? record : null).ToList();
    }

    private CompiledQuery Compile(string soql) => SoqlCompiler.Compile(soql, SoqlParser.Parse(soql), clock);

    private sealed record Page(List<SoqlRecord> Records, bool More, JsonArray? LastKey);

    private static async Task<Page> ReadPageAsync(NpgsqlConnection connection, CompiledQuery query, JsonArray? afterKey, int position, int batchSize, CancellationToken cancellationToken)
    {
        var take = query.Limit is { } limit ? Math.Min(batchSize, Math.Max(0, limit - position)) : batchSize;
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

        sql.Append(" ORDER BY ").AppendJoin(", ", query.Keys.Select(KeysetPaging.OrderBy))
            .Append(CultureInfo.InvariantCulture, $" LIMIT {take + 1}");
        if (afterKey is null && query.Offset is > 0)
        {
            sql.Append(CultureInfo.InvariantCulture, $" OFFSET {query.Offset}");
        }

        var records = new List<SoqlRecord>(take);
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
                lastKey = KeysetPaging.ReadKey(reader, query.Keys);
            }
        }

        foreach (var child in query.Children)
        {
            await AttachChildrenAsync(connection, query, child, records, cancellationToken);
        }

        return new Page(records, more, lastKey);
    }

    private static async Task<int> CountAsync(NpgsqlConnection connection, CompiledQuery query, CancellationToken cancellationToken)
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

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial System.Text.RegularExpressions.Regex FieldName();
}
