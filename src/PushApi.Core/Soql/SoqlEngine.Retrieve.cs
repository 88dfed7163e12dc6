using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

public sealed partial class SoqlEngine
{
    /// <summary>How many (object, fields, row scope) retrievals keep their compiled SELECT; past it, one is compiled per call.</summary>
    private const int MaxCachedRetrievals = 1_000;

    // "SELECT <fields> FROM <object>" compiled once per object, field list and row scope: a retrieve only adds its ids.
    private readonly ConcurrentDictionary<(SObjectDescriptor Type, string Fields, long? Scope), CompiledQuery> _retrievals = new();

    /// <summary>Records by id, in the order asked, null where no record has the id (REST retrieve, SOAP retrieve, composite).</summary>
    public async Task<IReadOnlyList<SoqlRecord?>> RetrieveAsync(SObjectDescriptor type, IReadOnlyList<string> ids, IReadOnlyList<string>? fields, SoqlCaller caller, CancellationToken cancellationToken = default)
    {
        var wanted = ids.Select(id => SalesforceId.TryParse(id, out var parsed) && parsed.HasPrefix(type.KeyPrefix) ? parsed.Id18 : null).ToList();
        var valid = wanted.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var selected = fields is { Count: > 0 } ? fields : null;
        if (selected?.FirstOrDefault(f => !FieldName().IsMatch(f)) is { } bad)
        {
            throw new SoqlException(SoqlException.InvalidField, $"No such column '{bad}' on entity '{type.Name}'.");
        }

        var found = new Dictionary<string, SoqlRecord>(StringComparer.Ordinal);
        if (valid.Count > 0)
        {
            // The field names are checked by the compiler like any query's; the ids are one array parameter.
            var select = Retrieval(type, selected, caller);
            await using var lease = await Persistence.SharedTransaction.OpenAsync(dataSource, cancellationToken);
            foreach (var chunk in valid.Chunk(MaxBatchSize))
            {
                var page = await QueryPageReader.ReadAsync(lease.Connection, WithIds(select, type, chunk), afterKey: null, position: 0, MaxBatchSize, cancellationToken);
                foreach (var record in page.Records)
                {
                    found[record.Id!] = record;
                }
            }
        }

        return wanted.Select(id => id is not null && found.TryGetValue(id, out var record) ? record : null).ToList();
    }

    /// <summary>The compiled <c>SELECT fields FROM type</c> (every field when <paramref name="fields"/> is null), from the cache when it is there.</summary>
    private CompiledQuery Retrieval(SObjectDescriptor type, IReadOnlyList<string>? fields, SoqlCaller caller)
    {
        var key = (type, fields is null ? "" : string.Join(", ", fields), caller.UserRowScope);
        if (_retrievals.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var list = fields is null ? string.Join(", ", type.Fields.Select(f => f.Name)) : key.Item2;
        var compiled = Compile($"SELECT {list} FROM {type.Name}", caller);
        if (_retrievals.Count < MaxCachedRetrievals)
        {
            _retrievals.TryAdd(key, compiled);
        }

        return compiled;
    }

    /// <summary>The compiled SELECT narrowed to the given 18-character ids (all of the object's prefix), as the view stores them.</summary>
    private static CompiledQuery WithIds(CompiledQuery select, SObjectDescriptor type, string[] ids)
    {
        var parameters = select.CloneParameters();
        var textIds = SObjectViews.HasTextIds(type);
        parameters.Add(textIds
            ? new NpgsqlParameter { Value = ids.Select(id => id[..15]).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }
            : new NpgsqlParameter
            {
                Value = ids.Select(id => SalesforceId.TryParseNumber(id, type.KeyPrefix, out var number) ? number : 0).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint,
            });
        return select.Narrowed($"{select.RootAlias}.id = ANY($" + parameters.Count.ToString(CultureInfo.InvariantCulture) + ")", parameters);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial System.Text.RegularExpressions.Regex FieldName();
}
