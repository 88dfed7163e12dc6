using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace PushApi.Core.Soql;

/// <summary>
/// Pages continue by keyset, never by OFFSET: the ORDER BY values of a page's last row are kept (as
/// JSON, in the query locator) and the next page starts after them.
/// </summary>
internal static class KeysetPaging
{
    public static string OrderBy(SortKey key) =>
        $"{key.Sql} {(key.Descending ? "DESC" : "ASC")} {(key.NullsFirst ? "NULLS FIRST" : "NULLS LAST")}";

    /// <summary>The sort key values of the row the reader is on.</summary>
    public static JsonArray ReadKey(DbDataReader reader, List<SortKey> keys)
    {
        var values = new JsonArray();
        foreach (var key in keys)
        {
            values.Add(reader.IsDBNull(key.Ordinal) ? null : key.Type switch
            {
                KeyType.Text => JsonValue.Create(reader.GetString(key.Ordinal)),
                KeyType.Int => JsonValue.Create(reader.GetInt32(key.Ordinal)),
                KeyType.Long => JsonValue.Create(reader.GetInt64(key.Ordinal)),
                KeyType.Bool => JsonValue.Create(reader.GetBoolean(key.Ordinal)),
                _ => JsonValue.Create(reader.GetFieldValue<DateTimeOffset>(key.Ordinal).ToString("O", CultureInfo.InvariantCulture)),
            });
        }

        return values;
    }

    /// <summary>
    /// Rows after the given key values in the query's order: for keys k1…kn, the OR over i of
    /// "k1…k(i-1) equal and ki after", with each key's direction and null placement.
    /// </summary>
    public static string RowsAfter(List<SortKey> keys, JsonArray values, List<NpgsqlParameter> parameters)
    {
        if (values.Count != keys.Count)
        {
            throw QueryLocatorStore.InvalidLocator();
        }

        var bound = new string?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            if (values[i] is { } value)
            {
                parameters.Add(KeyParameter(keys[i].Type, value));
                bound[i] = "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            }
        }

        var alternatives = new List<string>();
        for (var i = 0; i < keys.Count; i++)
        {
            var after = After(keys[i], bound[i]);
            if (after is null)
            {
                continue;
            }

            var equal = Enumerable.Range(0, i).Select(j => bound[j] is null ? $"{keys[j].Sql} IS NULL" : $"{keys[j].Sql} = {bound[j]}");
            alternatives.Add("(" + string.Join(" AND ", equal.Append(after)) + ")");
        }

        return alternatives.Count == 0 ? "FALSE" : "(" + string.Join(" OR ", alternatives) + ")";
    }

    private static string? After(SortKey key, string? value) => (value, key.Descending, key.NullsFirst) switch
    {
        (not null, _, _) when key.NotNull => $"{key.Sql} {(key.Descending ? "<" : ">")} {value}",
        (null, _, true) => $"{key.Sql} IS NOT NULL",
        (null, _, false) => null,
        (_, false, true) => $"{key.Sql} > {value}",
        (_, true, true) => $"{key.Sql} < {value}",
        (_, false, false) => $"({key.Sql} > {value} OR {key.Sql} IS NULL)",
        (_, true, false) => $"({key.Sql} < {value} OR {key.Sql} IS NULL)",
    };

    /// <summary>A stored key value bound with its column's type; a value that does not fit makes the locator invalid.</summary>
    private static NpgsqlParameter KeyParameter(KeyType type, JsonNode value)
    {
        try
        {
            return type switch
            {
                KeyType.Text => new NpgsqlParameter { Value = value.GetValue<string>(), NpgsqlDbType = NpgsqlDbType.Text },
                KeyType.Int => new NpgsqlParameter { Value = value.GetValue<int>(), NpgsqlDbType = NpgsqlDbType.Integer },
                KeyType.Long => new NpgsqlParameter { Value = value.GetValue<long>(), NpgsqlDbType = NpgsqlDbType.Bigint },
                KeyType.Bool => new NpgsqlParameter { Value = value.GetValue<bool>(), NpgsqlDbType = NpgsqlDbType.Boolean },
                _ => new NpgsqlParameter { Value = DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.TimestampTz },
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw QueryLocatorStore.InvalidLocator();
        }
    }
}
