using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;

namespace PushApi.Core.Soql;

/// <summary>
/// Runs an aggregate query: AggregateResult records (one without GROUP BY, one per group with it), or only the total
/// for <c>COUNT()</c>. As on Salesforce, an aggregate query has no queryMore: more than <see cref="MaxGroups"/> groups
/// is an error that asks for a LIMIT.
/// </summary>
internal static class AggregateResultReader
{
    public const int MaxGroups = 2000;

    public static async Task<SoqlResult> ReadAsync(NpgsqlConnection connection, CompiledQuery query, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(query.GroupBy.Count > 0 ? GroupedSql(query) : TotalSql(query), connection);
        command.Parameters.AddRange(query.CloneParameters().ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<SoqlRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (query.IsCountOnly)
            {
                return new SoqlResult((int)reader.GetInt64(0), true, null, []);
            }

            if (records.Count == MaxGroups)
            {
                throw new SoqlException(SoqlException.MalformedQuery, $"Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch of at most {MaxGroups} groups");
            }

            records.Add(Read(reader, query));
        }

        return new SoqlResult(records.Count, true, null, records);
    }

    private static SoqlRecord Read(DbDataReader reader, CompiledQuery query)
    {
        var record = new SoqlRecord(null, null);
        foreach (var node in query.Output)
        {
            // The root id (column 0) is not selected here, so every ordinal moves down by one.
            var (name, ordinal) = node switch
            {
                GroupNode g => (g.Name, g.Ordinal - 1),
                AggregateNode a => (a.Name, a.Ordinal - 1),
                _ => throw new InvalidOperationException(node.GetType().Name),
            };
            object? value = reader.IsDBNull(ordinal) ? null : node switch
            {
                AggregateNode { Function: "COUNT" or "COUNT_DISTINCT" } => (int)reader.GetInt64(ordinal),
                AggregateNode { Function: "SUM" } => reader.GetInt64(ordinal),
                AggregateNode { Function: "AVG" } => (double)reader.GetDecimal(ordinal),
                AggregateNode a => SoqlRecordReader.ReadValue(reader, ordinal, a.Field!, a.Owner!),
                GroupNode { Function: null } g => SoqlRecordReader.ReadValue(reader, ordinal, g.Field, g.Owner),
                GroupNode { Function: { } f } when DateFunctions.GivesDate(f) => reader.GetFieldValue<DateOnly>(ordinal),
                _ => reader.GetInt32(ordinal),
            };
            record.Fields.Add(new(name, value));
        }

        return record;
    }

    /// <summary>One group per row, in the asked (or the groups') order, at most one more than <see cref="MaxGroups"/>.</summary>
    private static string GroupedSql(CompiledQuery query)
    {
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", query.Columns.Skip(1)).Append(" FROM ").Append(query.From);
        if (query.Where is not null)
        {
            sql.Append(" WHERE ").Append(query.Where);
        }

        sql.Append(" GROUP BY ").AppendJoin(", ", query.GroupBy);
        if (query.Having is not null)
        {
            sql.Append(" HAVING ").Append(query.Having);
        }

        var take = Math.Min(query.Limit ?? int.MaxValue, MaxGroups + 1);
        sql.Append(" ORDER BY ").AppendJoin(", ", query.AggregateOrder).Append(CultureInfo.InvariantCulture, $" LIMIT {take}");
        if (query.Offset is > 0)
        {
            sql.Append(CultureInfo.InvariantCulture, $" OFFSET {query.Offset}");
        }

        return sql.ToString();
    }

    /// <summary>Aggregates without GROUP BY read the rows the WHERE (and LIMIT/OFFSET) select.</summary>
    private static string TotalSql(CompiledQuery query)
    {
        var where = query.Where is null ? "" : " WHERE " + query.Where;
        var columns = string.Join(", ", query.Columns.Skip(1));
        if (query.Limit is null && query.Offset is not > 0)
        {
            return $"SELECT {columns} FROM {query.From}{where}";
        }

        var inner = new StringBuilder($"SELECT {query.RootAlias}.id FROM {query.From}{where}");
        if (query.Limit is { } limit)
        {
            inner.Append(CultureInfo.InvariantCulture, $" LIMIT {limit}");
        }

        if (query.Offset is > 0)
        {
            inner.Append(CultureInfo.InvariantCulture, $" OFFSET {query.Offset}");
        }

        return $"SELECT {columns} FROM {query.From} WHERE {query.RootAlias}.id IN ({inner})";
    }
}
