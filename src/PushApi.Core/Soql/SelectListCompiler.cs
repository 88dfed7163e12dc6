using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// The SELECT list as columns and the output tree that reads them back: fields nested inside the
/// parents their paths go through, and child sub-queries (aggregates are <see cref="AggregateQueryCompiler"/>'s).
/// </summary>
internal sealed class SelectListCompiler(SqlQueryBuilder sql, TimeProvider clock)
{
    /// <summary>The alias of a child sub-query's root view; its parent key column is named through it.</summary>
    private const string ChildAlias = "c0";

    /// <summary>The most rows a query with <c>FIELDS(ALL)</c> may ask for, as on Salesforce.</summary>
    public const int MaxFieldsAllLimit = 200;

    public List<OutputNode> CompileFields(SoqlQuery query)
    {
        var output = new List<OutputNode>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in query.Select)
        {
            switch (item)
            {
                case FieldSelect { Path.Function: { } function } select:
                    throw SoqlException.Malformed(sql.Soql, select.Position, $"{function}() is allowed in the SELECT list of an aggregate query (with GROUP BY) only");
                case FieldSelect { Alias: { } fieldAlias } select:
                    throw SoqlException.Malformed(sql.Soql, select.Position, $"unexpected token: '{fieldAlias}' (only aggregate queries may alias a field)");
                case FieldsSelect fields:
                    AddFields(output, fields, query.Limit, seen);
                    break;
                case FieldSelect { Path: var path }:
                    var (alias, owner, field) = sql.Resolve(path);
                    var canonical = CanonicalPath(path);
                    if (!seen.Add(canonical))
                    {
                        throw SoqlException.Malformed(sql.Soql, path.Position, $"duplicate field selected: {canonical}");
                    }

                    AddToOutput(output, path, field, sql.AddColumn(SqlQueryBuilder.ValueColumn(alias, field)), owner);
                    break;

                case SubquerySelect sub:
                    output.Add(CompileChild(sub, seen));
                    break;
            }
        }

        return output;
    }

    /// <summary>
    /// <c>FIELDS(ALL)</c> and <c>FIELDS(STANDARD)</c>: every field of the object (all are standard here), but those
    /// already selected; <c>FIELDS(ALL)</c> only with a LIMIT of at most 200. There are no custom fields to select.
    /// </summary>
    private void AddFields(List<OutputNode> output, FieldsSelect fields, int? limit, HashSet<string> seen)
    {
        if (fields.Set == "CUSTOM")
        {
            throw SoqlException.Malformed(sql.Soql, fields.Position, $"FIELDS(CUSTOM) is not supported: {sql.Root.Name} has no custom fields");
        }

        if (fields.Set == "ALL" && limit is not (not null and <= MaxFieldsAllLimit))
        {
            throw SoqlException.Malformed(sql.Soql, fields.Position, $"The SOQL FIELDS function must have a LIMIT of at most {MaxFieldsAllLimit}");
        }

        foreach (var field in sql.Root.Fields.Where(f => seen.Add(f.Name)))
        {
            output.Add(new FieldNode(field.Name, field, sql.Root, sql.AddColumn(SqlQueryBuilder.ValueColumn(sql.RootAlias, field))));
        }
    }

    private ChildNode CompileChild(SubquerySelect sub, HashSet<string> seen)
    {
        var child = sql.Root.FindChildRelationship(sub.Query.From)
            ?? throw SoqlException.At(
                SoqlException.InvalidType,
                sql.Soql,
                sub.Query.FromPosition,
                $"Didn't understand relationship '{sub.Query.From}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.");
        if (!seen.Add(child.RelationshipName))
        {
            throw SoqlException.Malformed(sql.Soql, sub.Position, $"duplicate field selected: {child.RelationshipName}");
        }

        var childType = SObjectCatalog.Find(child.ChildSObject)!;
        var childQuery = SoqlCompiler.Compile(sql.Soql, sub.Query with { From = childType.Name }, childType, ChildAlias, sql.UserRowScope, clock);
        if (childQuery.IsAggregate)
        {
            throw SoqlException.Malformed(sql.Soql, sub.Position, "aggregate functions are not supported in child relationship queries");
        }

        return new ChildNode(child.RelationshipName, childQuery, ChildAlias + "." + child.Field.ToLowerInvariant());
    }

    /// <summary>Puts a selected field into the output tree, inside the parent objects of its path.</summary>
    private void AddToOutput(List<OutputNode> output, FieldPath path, FieldDescriptor field, int ordinal, SObjectDescriptor owner)
    {
        var level = output;
        var type = sql.Root;
        var relationships = sql.RelationshipSegments(path);
        var prefix = "";
        foreach (var relationship in relationships)
        {
            var reference = type.FindParentRelationship(relationship)!;
            var parentType = SObjectCatalog.Find(reference.ReferenceTo!)!;
            prefix = prefix.Length == 0 ? reference.RelationshipName! : prefix + "." + reference.RelationshipName;
            var parent = level.OfType<ParentNode>().FirstOrDefault(p => p.Name == reference.RelationshipName);
            if (parent is null)
            {
                parent = new ParentNode(reference.RelationshipName!, parentType, sql.AddColumn($"{sql.JoinAlias(prefix)}.id"), []);
                level.Add(parent);
            }

            level = parent.Children;
            type = parentType;
        }

        level.Add(new FieldNode(field.Name, field, owner, ordinal));
    }

    private string CanonicalPath(FieldPath path)
    {
        var type = sql.Root;
        var names = new List<string>();
        foreach (var relationship in sql.RelationshipSegments(path))
        {
            var reference = type.FindParentRelationship(relationship)!;
            names.Add(reference.RelationshipName!);
            type = SObjectCatalog.Find(reference.ReferenceTo!)!;
        }

        names.Add(type.FindField(path.Segments[^1])!.Name);
        return string.Join('.', names);
    }
}
