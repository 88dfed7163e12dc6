using Npgsql;
using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>How a sort key is stored in a query locator and bound again for the next page.</summary>
internal enum KeyType
{
    Text,
    Int,
    Long,
    Bool,
    Timestamp,
}

/// <summary>One ORDER BY expression (the root id always comes last, so the order is total); <see cref="NotNull"/> keys compare without null cases.</summary>
internal sealed record SortKey(string Sql, KeyType Type, bool Descending, bool NullsFirst, int Ordinal, bool NotNull = false);

internal abstract record OutputNode(string Name);

internal sealed record FieldNode(string Name, FieldDescriptor Field, SObjectDescriptor Owner, int Ordinal) : OutputNode(Name);

/// <summary>A parent reached through a relationship; null in the output when its id is null.</summary>
internal sealed record ParentNode(string Name, SObjectDescriptor Type, int IdOrdinal, List<OutputNode> Children) : OutputNode(Name);

/// <summary>A child sub-query, run once per page for all the page's parents.</summary>
internal sealed record ChildNode(string Name, CompiledQuery Query, string ParentKeyColumn) : OutputNode(Name);

/// <summary>A grouped field of an aggregate query, or a date function of one (<see cref="Function"/>).</summary>
internal sealed record GroupNode(string Name, FieldDescriptor Field, SObjectDescriptor Owner, int Ordinal, string? Function) : OutputNode(Name);

internal sealed record AggregateNode(string Name, string Function, FieldDescriptor? Field, SObjectDescriptor? Owner, int Ordinal) : OutputNode(Name);

/// <summary>A checked SOQL statement as parameterised SQL pieces, plus how to read rows back into records.</summary>
internal sealed record CompiledQuery
{
    public required SObjectDescriptor Root { get; init; }

    public required string RootAlias { get; init; }

    public required List<string> Columns { get; init; }

    public required string From { get; init; }

    public string? Where { get; init; }

    public required List<NpgsqlParameter> Parameters { get; init; }

    /// <summary>The ORDER BY keys, ending with the root id; empty for aggregate queries.</summary>
    public required List<SortKey> Keys { get; init; }

    public required List<OutputNode> Output { get; init; }

    public required int IdOrdinal { get; init; }

    public bool IsAggregate { get; init; }

    /// <summary>The GROUP BY expressions of an aggregate query; empty when it has none.</summary>
    public List<string> GroupBy { get; init; } = [];

    public string? Having { get; init; }

    /// <summary>The ORDER BY of an aggregate query (its groups unless told otherwise).</summary>
    public List<string> AggregateOrder { get; init; } = [];

    /// <summary><c>SELECT COUNT() …</c>: only totalSize is answered.</summary>
    public bool IsCountOnly { get; init; }

    public int? Limit { get; init; }

    public int? Offset { get; init; }

    public IEnumerable<ChildNode> Children => Output.OfType<ChildNode>();

    /// <summary>This query with <paramref name="where"/> as its WHERE (it had none) and <paramref name="parameters"/> (its own first): a cached SELECT narrowed per call.</summary>
    public CompiledQuery Narrowed(string where, List<NpgsqlParameter> parameters) => this with
    {
        Where = Where is null ? where : $"({Where}) AND {where}",
        Parameters = parameters,
    };

    /// <summary>New copies of <see cref="Parameters"/>: a parameter belongs to one command, and a query runs several (pages, the count, child queries).</summary>
    public List<NpgsqlParameter> CloneParameters() => Parameters.Select(p => new NpgsqlParameter { Value = p.Value, NpgsqlDbType = p.NpgsqlDbType }).ToList();
}
