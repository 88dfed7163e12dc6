using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// The SQL of one query while it is compiled: the root view with the parent views its field paths
/// join, the select columns, and the parameters, numbered $1, $2, … in the order they are added.
/// <c>User</c> is read through <see cref="SoqlCaller.UserRowScope"/>: one user's row, or every row for an admin.
/// </summary>
internal sealed class SqlQueryBuilder(string soql, SObjectDescriptor root, string rootAlias, long? userRowScope, List<NpgsqlParameter>? parameters = null)
{
    private readonly Dictionary<string, (string Alias, SObjectDescriptor Type)> _joins = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _joinSql = [];

    /// <summary>The statement as written, for the position in error messages.</summary>
    public string Soql { get; } = soql;

    public SObjectDescriptor Root { get; } = root;

    public string RootAlias { get; } = rootAlias;

    public List<string> Columns { get; } = [];

    public List<NpgsqlParameter> Parameters { get; } = parameters ?? [];

    public long? UserRowScope { get; } = userRowScope;

    public string From => $"{View(Root)} {RootAlias}" + string.Concat(_joinSql);

    /// <summary>The view an object is read from; <c>User</c> narrowed to the caller's own row unless they see all.</summary>
    private string View(SObjectDescriptor type) =>
        type == SObjectCatalog.User && UserRowScope is { } only
            ? $"(SELECT * FROM {SObjectViews.ViewOf(type)} WHERE id = {only.ToString(CultureInfo.InvariantCulture)})"
            : SObjectViews.ViewOf(type);

    /// <summary>A builder for a sub-select inside this query (a semi-join): its own views and joins, this query's parameters and row scope.</summary>
    public SqlQueryBuilder Nested(SObjectDescriptor root, string alias) => new(Soql, root, alias, UserRowScope, Parameters);

    public static string ValueColumn(string alias, FieldDescriptor field) => $"{alias}.{SObjectViews.Column(field)}";

    public int AddColumn(string sql)
    {
        Columns.Add(sql);
        return Columns.Count - 1;
    }

    public string AddParameter(object value, NpgsqlDbType type)
    {
        Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        return "$" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The alias of the view joined for a relationship path that <see cref="Resolve"/> has seen (<c>PackageVersion.MetadataPackage</c>).</summary>
    public string JoinAlias(string relationshipPath) => _joins[relationshipPath].Alias;

    /// <summary>Resolves a path to the alias of the view that holds the field, joining parents as needed.</summary>
    public (string Alias, SObjectDescriptor Owner, FieldDescriptor Field) Resolve(FieldPath path)
    {
        var alias = RootAlias;
        var type = Root;
        var prefix = "";
        foreach (var relationship in RelationshipSegments(path))
        {
            var reference = type.FindParentRelationship(relationship);
            if (reference is null)
            {
                throw SoqlException.At(
                    SoqlException.InvalidField,
                    Soql,
                    path.Position,
                    $"Didn't understand relationship '{relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.");
            }

            var parentType = SObjectCatalog.Find(reference.ReferenceTo!)!;
            prefix = prefix.Length == 0 ? reference.RelationshipName! : prefix + "." + reference.RelationshipName;
            if (!_joins.TryGetValue(prefix, out var join))
            {
                join = ($"{RootAlias}_{_joins.Count + 1}", parentType);
                _joins[prefix] = join;
                _joinSql.Add($" LEFT JOIN {View(parentType)} {join.Alias} ON {join.Alias}.id = {alias}.{SObjectViews.Column(reference)}");
            }

            alias = join.Alias;
            type = parentType;
        }

        var name = path.Segments[^1];
        var field = type.FindField(name) ?? throw SoqlException.At(
            SoqlException.InvalidField,
            Soql,
            path.Position,
            $"No such column '{name}' on entity '{type.Name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.");
        return (alias, type, field);
    }

    /// <summary>The relationship names of a path; a leading name of the queried object itself is dropped.</summary>
    public List<string> RelationshipSegments(FieldPath path)
    {
        var segments = path.Segments.Take(path.Segments.Count - 1).ToList();
        if (segments.Count > 0 && string.Equals(segments[0], Root.Name, StringComparison.OrdinalIgnoreCase) && Root.FindParentRelationship(segments[0]) is null)
        {
            segments.RemoveAt(0);
        }

        if (segments.Count > 5)
        {
            throw SoqlException.At(SoqlException.InvalidField, Soql, path.Position, "A field path may go through at most 5 relationships");
        }

        return segments;
    }
}
