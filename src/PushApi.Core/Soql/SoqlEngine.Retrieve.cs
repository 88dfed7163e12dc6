using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

public sealed partial class SoqlEngine
{
    /// <summary>Records by id, in the order asked, null where no record has the id (REST retrieve, SOAP retrieve, composite).</summary>
    public async Task<IReadOnlyList<SoqlRecord?>> RetrieveAsync(SObjectDescriptor type, IReadOnlyList<string> ids, IReadOnlyList<string>? fields, SoqlCaller caller, CancellationToken cancellationToken = default)
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
            var result = await QueryAsync(soql, caller, MaxBatchSize, cancellationToken);
            foreach (var record in result.Records)
            {
                found[record.Id!] = record;
            }
        }

        return wanted.Select(id => id is not null && found.TryGetValue(id, out var record) ? record : null).ToList();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial System.Text.RegularExpressions.Regex FieldName();
}
