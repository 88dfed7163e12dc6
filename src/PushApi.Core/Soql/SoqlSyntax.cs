namespace PushApi.Core.Soql;

// The syntax tree of a SOQL statement, as written (names not yet checked against the catalog).
// Positions are offsets into the statement, for error messages.

/// <summary>A field name, possibly through parent relationships: <c>PackageVersion.MetadataPackage.Name</c>.</summary>
/// <remarks><see cref="Function"/> is a date function around the field (<c>CALENDAR_YEAR(ScheduledStartTime)</c>), or null.</remarks>
public sealed record FieldPath(IReadOnlyList<string> Segments, int Position, string? Function = null)
{
    public FieldPath Plain => this with { Function = null };

    public override string ToString() => Function is null ? string.Join('.', Segments) : $"{Function}({string.Join('.', Segments)})";
}

public abstract record SelectItem(int Position);

/// <summary>A field or a date function of one; an alias only in aggregate queries.</summary>
public sealed record FieldSelect(FieldPath Path, string? Alias = null) : SelectItem(Path.Position);

/// <summary><c>FIELDS(ALL)</c>, <c>FIELDS(STANDARD)</c> or <c>FIELDS(CUSTOM)</c>.</summary>
public sealed record FieldsSelect(string Set, int Position) : SelectItem(Position);

/// <summary><c>COUNT()</c>, <c>COUNT(Id)</c>, <c>COUNT_DISTINCT(f)</c>, <c>MIN(f)</c>, <c>MAX(f)</c>, <c>SUM(f)</c>, <c>AVG(f)</c>, optionally aliased.</summary>
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
    int? Offset)
{
    /// <summary>GROUP BY fields or date functions; empty without GROUP BY.</summary>
    public IReadOnlyList<FieldPath> GroupBy { get; init; } = [];

    public Condition? Having { get; init; }
}

/// <summary>An ORDER BY item: a field (or date function), or in an aggregate query an aggregate (<see cref="Aggregate"/>, with <see cref="Field"/> its position only).</summary>
public sealed record OrderItem(FieldPath Field, bool Descending, bool? NullsFirst, AggregateSelect? Aggregate = null);

public abstract record Condition;

public sealed record AndCondition(IReadOnlyList<Condition> Parts) : Condition;

public sealed record OrCondition(IReadOnlyList<Condition> Parts) : Condition;

public sealed record NotCondition(Condition Inner) : Condition;

/// <summary><c>field op value</c> with op one of = != &lt;&gt; &lt; &lt;= &gt; &gt;= (<c>&lt;&gt;</c> is read as <c>!=</c>).</summary>
public sealed record ComparisonCondition(FieldPath Field, string Operator, Literal Value, int OperatorPosition) : Condition;

public sealed record InCondition(FieldPath Field, bool Negated, IReadOnlyList<Literal> Values) : Condition;

public sealed record LikeCondition(FieldPath Field, Literal Pattern) : Condition;

/// <summary>A semi-join (<c>Id IN (SELECT PackagePushRequestId FROM PackagePushJob …)</c>) or, negated, an anti-join.</summary>
public sealed record SemiJoinCondition(FieldPath Field, bool Negated, SoqlQuery Query, int Position) : Condition;

/// <summary><c>COUNT(Id) &gt; 1</c>: a comparison of an aggregate, only in HAVING.</summary>
public sealed record AggregateCondition(AggregateSelect Aggregate, string Operator, Literal Value, int OperatorPosition) : Condition;

public abstract record Literal(int Position);

public sealed record StringLiteral(string Value, int Position) : Literal(Position);

public sealed record NumberLiteral(decimal Value, string Text, int Position) : Literal(Position);

public sealed record BooleanLiteral(bool Value, int Position) : Literal(Position);

public sealed record NullLiteral(int Position) : Literal(Position);

public sealed record DateTimeLiteral(DateTimeOffset Value, int Position) : Literal(Position);

public sealed record DateLiteral(DateOnly Value, int Position) : Literal(Position);

/// <summary><c>TODAY</c>, <c>YESTERDAY</c>, <c>TOMORROW</c>, <c>LAST_N_DAYS:n</c>, <c>NEXT_N_DAYS:n</c>: a range of UTC days.</summary>
public sealed record RelativeDateLiteral(string Name, int Days, int Position) : Literal(Position);
