using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// One record of a query result, fields in SELECT order. A value is a string (text, picklists and
/// 18-character ids), int, long (counts), bool, DateTimeOffset, null, a <see cref="SoqlRecord"/>
/// (a parent through a relationship) or a <see cref="SoqlResult"/> (a child sub-query; null when empty).
/// </summary>
public sealed class SoqlRecord(SObjectDescriptor? type, string? id)
{
    /// <summary>The object; null for an AggregateResult.</summary>
    public SObjectDescriptor? Type { get; } = type;

    /// <summary>The 18-character id, for the record's URL (also when Id was not selected).</summary>
    public string? Id { get; } = id;

    public List<KeyValuePair<string, object?>> Fields { get; } = [];

    public object? this[string name] => Fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>A page of a query: the total number of rows, whether this is the last page, and the locator of the next.</summary>
public sealed record SoqlResult(int TotalSize, bool Done, string? NextLocator, IReadOnlyList<SoqlRecord> Records);
