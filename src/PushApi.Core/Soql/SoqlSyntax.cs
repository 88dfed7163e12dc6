namespace PushApi.Core.Soql;

// The syntax tree of a SOQL statement, as written (names not yet checked against the catalog).
// Positions are offsets into the statement, for error messages.

/// <summary>A field name, possibly through parent relationships: <c>PackageVersion.MetadataPackage.Name</c>.</summary>
public sealed record FieldPath(IReadOnlyList<string> Segments, int Position)
{
    public override string ToString() => string.Join('.', Segments);
}

public abstract record SelectItem(int Position);

public sealed record FieldSelect(FieldPath Path) : SelectItem(Path.Position);

/// <summary><c>COUNT()</c>, <c>COUNT(Id)</c>, <c>COUNT_DISTINCT(f)</c>, <c>MIN(f)</c>, <c>MAX(f)</c>, optionally aliased.</summary>
public sealed record AggregateSelect(string Function, FieldPath? Argument, string? Alias, int Position) : SelectItem(Position);

/// <summary>A child relationship query: <c>(SELECT … FROM PackagePushErrors)</c>.</summary>
public sealed record SubquerySelect(SoqlQuery Query, int Position) : SelectItem(Position);

public sealed record SoqlQuery(
    IReadOnlyList<SelectItem> Select,
    string From,
    int FromPosition,
    Condition? Where,
    IReadOnlyList<OrderItem> OrderBy,
    int? Limit,
    int? Offset);

public sealed record OrderItem(FieldPath Field, bool Descending, bool? NullsFirst);

public abstract record Condition;

public sealed record AndCondition(IReadOnlyList<Condition> Parts) : Condition;

public sealed record OrCondition(IReadOnlyList<Condition> Parts) : Condition;

public sealed record NotCondition(Condition Inner) : Condition;

/// <summary><c>field op value</c> with op one of = != &lt;&gt; &lt; &lt;= &gt; &gt;= (<c>&lt;&gt;</c> is read as <c>!=</c>).</summary>
public sealed record ComparisonCondition(FieldPath Field, string Operator, Literal Value, int OperatorPosition) : Condition;

public sealed record InCondition(FieldPath Field, bool Negated, IReadOnlyList<Literal> Values) : Condition;

public sealed record LikeCondition(FieldPath Field, Literal Pattern) : Condition;

public abstract record Literal(int Position);

public sealed record StringLiteral(string Value, int Position) : Literal(Position);

public sealed record NumberLiteral(decimal Value, string Text, int Position) : Literal(Position);

public sealed record BooleanLiteral(bool Value, int Position) : Literal(Position);

public sealed record NullLiteral(int Position) : Literal(Position);

public sealed record DateTimeLiteral(DateTimeOffset Value, int Position) : Literal(Position);

public sealed record DateLiteral(DateOnly Value, int Position) : Literal(Position);

/// <summary><c>TODAY</c>, <c>YESTERDAY</c>, <c>TOMORROW</c>, <c>LAST_N_DAYS:n</c>, <c>NEXT_N_DAYS:n</c>: a range of UTC days.</summary>
public sealed record RelativeDateLiteral(string Name, int Days, int Position) : Literal(Position);
