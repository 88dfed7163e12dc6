using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace PushApi.Core.Bulk;

/// <summary>
/// One CSV row of a staged chunk as the name/value map the DML service reads, over the chunk's cells in place: a Bulk
/// add reads 100,000 rows, each a small view rather than a dictionary of its own. An empty cell leaves its field out,
/// and <see cref="BulkCsv.NullValue"/> sends null. Names are matched ignoring case; the upload refuses a header that
/// names a field twice, so each is found once.
/// </summary>
internal sealed class BulkRow(string[] names, string[] cells, int offset) : IReadOnlyDictionary<string, object?>
{
    public int Count
    {
        get
        {
            var count = 0;
            for (var c = 0; c < names.Length; c++)
            {
                count += cells[offset + c].Length > 0 ? 1 : 0;
            }

            return count;
        }
    }

    public IEnumerable<string> Keys => this.Select(pair => pair.Key);

    public IEnumerable<object?> Values => this.Select(pair => pair.Value);

    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The row has no value for {key}.");

    public bool ContainsKey(string key) => Find(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var column = Find(key);
        value = column < 0 ? null : ValueOf(cells[offset + column]);
        return column >= 0;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var c = 0; c < names.Length; c++)
        {
            var cell = cells[offset + c];
            if (cell.Length > 0)
            {
                yield return new(names[c], ValueOf(cell));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string? ValueOf(string cell) => cell == BulkCsv.NullValue ? null : cell;

    private int Find(string key)
    {
        for (var c = 0; c < names.Length; c++)
        {
            if (cells[offset + c].Length > 0 && string.Equals(names[c], key, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return -1;
    }
}
