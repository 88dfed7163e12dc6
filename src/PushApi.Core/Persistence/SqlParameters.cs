using Npgsql;
using NpgsqlTypes;

namespace PushApi.Core.Persistence;

/// <summary>Positional parameters for set-based statements: arrays for <c>unnest</c> and <c>= ANY</c>.</summary>
public static class SqlParameters
{
    /// <summary>An array parameter of <paramref name="type"/> elements.</summary>
    public static NpgsqlParameter Array<T>(IEnumerable<T> values, NpgsqlDbType type) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };

    /// <summary>A parameter whose type comes from its value.</summary>
    public static NpgsqlParameter Value(object value) => new() { Value = value };
}
