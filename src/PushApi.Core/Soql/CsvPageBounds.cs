using System.Globalization;
using System.Text;
using Npgsql;

namespace PushApi.Core.Soql;

/// <summary>
/// The size of a CSV page and where the next one starts, found before the page is written (its headers carry both):
/// one statement reads the sort keys of at most <c>maxRecords + 1</c> rows after the start, numbers them and keeps
/// the last two, so the database sends two rows whatever the page size.
/// </summary>
internal static class CsvPageBounds
{
    public static async Task<(int Count, KeysetPosition? Next)> MeasureAsync(
        NpgsqlConnection connection, CompiledQuery query, KeysetPosition start, int maxRecords, CancellationToken cancellationToken)
    {
        var take = query.Limit is { } limit ? Math.Min(maxRecords, Math.Max(0, limit - start.Position)) : maxRecords;
        if (take == 0)
        {
            return (0, null);
        }

        var parameters = query.CloneParameters();
        var conditions = Conditions(query, start, parameters);
        var aliased = query.Keys.Select((key, i) => key with { Sql = "k" + i.ToString(CultureInfo.InvariantCulture), Ordinal = i + 1 }).ToList();
        var sql = new StringBuilder("SELECT n, ").AppendJoin(", ", aliased.Select(k => k.Sql))
            .Append(" FROM (SELECT row_number() OVER (ORDER BY ").AppendJoin(", ", aliased.Select(KeysetPaging.OrderBy)).Append(") AS n, ")
            .AppendJoin(", ", aliased.Select(k => k.Sql))
            .Append(" FROM (SELECT ").AppendJoin(", ", query.Keys.Select((key, i) => $"{key.Sql} AS {aliased[i].Sql}"))
            .Append(" FROM ").Append(query.From).Append(conditions)
            .Append(" ORDER BY ").AppendJoin(", ", query.Keys.Select(KeysetPaging.OrderBy))
            .Append(CultureInfo.InvariantCulture, $" LIMIT {take + 1}) p) q ORDER BY n DESC LIMIT 2");
        await using var command = new NpgsqlCommand(sql.ToString(), connection);
        command.Parameters.AddRange(parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (0, null);
        }

        var rows = (int)reader.GetInt64(0);
        if (rows <= take)
        {
            return (rows, null);
        }

        // rows = take + 1: the second row is the page's last one, where the next page starts.
        await reader.ReadAsync(cancellationToken);
        var more = query.Limit is not { } l || start.Position + take < l;
        return (take, more ? new KeysetPosition(start.Position + take, KeysetPaging.ReadKey(reader, aliased)) : null);
    }

    /// <summary>The WHERE clause of the query and of its rows after <paramref name="start"/>, with a leading space; empty when there is none.</summary>
    public static string Conditions(CompiledQuery query, KeysetPosition start, List<NpgsqlParameter> parameters)
    {
        var conditions = new List<string>();
        if (query.Where is not null)
        {
            conditions.Add(query.Where);
        }

        if (start.Key is not null)
        {
            conditions.Add(KeysetPaging.RowsAfter(query.Keys, start.Key, parameters));
        }

        return conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
    }
}
