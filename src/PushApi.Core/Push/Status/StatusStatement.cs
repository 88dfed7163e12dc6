namespace PushApi.Core.Push.Status;

/// <summary>
/// Rows of the transition table one statement performs: records of <see cref="Record"/> (the table
/// alias <see cref="Alias"/> in the statement) go from any of <see cref="From"/> to one of <see cref="To"/>.
/// </summary>
public sealed record Transition(PushRecord Record, PushActor Actor, IReadOnlyList<PushStatus> From, IReadOnlyList<PushStatus> To, string Alias)
{
    /// <summary>The statement's WHERE guard: the record's status is one of the from-states.</summary>
    public string Guard => PushStatusSql.In(Alias + ".status", From);

    /// <summary>
    /// The same guard as an array (<see cref="PushStatusSql.AnyOf"/>), for a statement that must be served by a partial
    /// index on the status and not by an index with the status as a lower column: the array gives such an index no
    /// constant status, so its order is not the statement's, and the partial index wins by far instead of by a hair.
    /// </summary>
    public string ArrayGuard => PushStatusSql.AnyOf(Alias + ".status", From);

    /// <summary>The SET target when the transition has one destination.</summary>
    public string Target => To.Count == 1 ? PushStatusSql.Literal(To[0]) : throw new InvalidOperationException("This transition has several destinations; write them as a CASE.");

    /// <summary>Every (from, to) pair the transition stands for.</summary>
    public IEnumerable<(PushStatus From, PushStatus To)> Pairs => From.SelectMany(f => To.Select(t => (f, t)));
}

/// <summary>A status the statement only reads (a filter on another record, say), not one it changes.</summary>
public sealed record StatusRead(string Column, IReadOnlyList<PushStatus> Statuses);

/// <summary>
/// A SQL statement that changes the status of push requests or jobs, with the transitions it performs
/// and the statuses it reads. Every such statement is declared in <see cref="RequestStatusChanges"/> or
/// <see cref="JobStatusChanges"/>; a unit test holds each one's guards against the transition table.
/// </summary>
public sealed record StatusStatement(string Name, string Sql, IReadOnlyList<Transition> Transitions, IReadOnlyList<StatusRead> Reads)
{
    public StatusStatement(string name, string sql, params Transition[] transitions)
        : this(name, sql, transitions, [])
    {
    }
}

/// <summary>The one place push status values are written into SQL text.</summary>
public static class PushStatusSql
{
    /// <summary>A status as a SQL string literal: <c>'In Progress'</c>.</summary>
    public static string Literal(PushStatus status) => $"'{status.WireName()}'";

    /// <summary><c>column = 'A'</c>, or <c>column IN ('A', 'B')</c> for several statuses.</summary>
    public static string In(string column, IReadOnlyList<PushStatus> statuses) => statuses.Count == 1
        ? $"{column} = {Literal(statuses[0])}"
        : $"{column} IN ({string.Join(", ", statuses.Select(Literal))})";

    /// <summary><c>column = 'A'</c>.</summary>
    public static string Is(string column, PushStatus status) => In(column, [status]);

    /// <summary>
    /// <c>column = ANY (ARRAY['A'])</c>, even for one status: PostgreSQL does not turn it into an equality, so it pins no
    /// column of an index to a constant (see <see cref="Transition.ArrayGuard"/>), yet it still proves a partial
    /// index's <c>status = 'A'</c> predicate.
    /// </summary>
    public static string AnyOf(string column, IReadOnlyList<PushStatus> statuses) => $"{column} = ANY (ARRAY[{string.Join(", ", statuses.Select(Literal))}])";
}
