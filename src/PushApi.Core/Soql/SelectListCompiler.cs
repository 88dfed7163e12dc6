using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// The SELECT list as columns and the output tree that reads them back: fields nested inside the
/// parents their paths go through, child sub-queries, or aggregates.
/// </summary>
internal sealed class SelectListCompiler(SqlQueryBuilder sql, TimeProvider clock)
{
    /// <summary>The alias of a child sub-query's root view; its parent key column is named through it.</summary>
    private const string ChildAlias = "c0";

    public List<OutputNode> CompileFields(SoqlQuery query)
    {
        var output = new List<OutputNode>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in query.Select)
        {
            switch (item)
            {
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

    public List<OutputNode> CompileAggregates(SoqlQuery query, List<AggregateSelect> aggregates)
    {
        if (query.Select.FirstOrDefault(s => s is not AggregateSelect) is { } plain)
        {
            var name = plain is FieldSelect f ? f.Path.ToString() : "a child relationship query";
            throw SoqlException.Malformed(sql.Soql, plain.Position, $"Field must be grouped or aggregated: {name}");
        }

        if (aggregates.Count > 1 && aggregates.Any(a => a is { Function: "COUNT", Argument: null }))
        {
            throw SoqlException.Malformed(sql.Soql, aggregates[0].Position, "COUNT() must be the only element in the SELECT list");
        }

        var output = new List<OutputNode>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var unnamed = 0;
        foreach (var aggregate in aggregates)
        {
            var name = aggregate.Alias ?? $"expr{unnamed++}";
            if (!names.Add(name))
            {
                throw SoqlException.Malformed(sql.Soql, aggregate.Position, $"duplicate alias: {name}");
            }

            if (aggregate.Argument is null)
            {
                if (aggregate.Function != "COUNT")
                {
                    throw SoqlException.Malformed(sql.Soql, aggregate.Position, $"{aggregate.Function}() needs a field");
                }

                output.Add(new AggregateNode(name, "COUNT", null, null, sql.AddColumn("count(*)")));
                continue;
            }

            var (alias, owner, field) = sql.Resolve(aggregate.Argument);
            var column = SqlQueryBuilder.ValueColumn(alias, field);
            var expression = aggregate.Function switch
            {
                "COUNT" => $"count({column})",
                "COUNT_DISTINCT" => $"count(DISTINCT {column})",
                _ when field.Type == FieldType.Boolean => throw SoqlException.At(
                    SoqlException.MalformedQuery, sql.Soql, aggregate.Argument.Position, $"field {field.Name} does not support aggregate operator {aggregate.Function}"),
                _ => $"{aggregate.Function.ToLowerInvariant()}({column})",
            };
            output.Add(new AggregateNode(name, aggregate.Function, field, owner, sql.AddColumn(expression)));
        }

        return output;
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
