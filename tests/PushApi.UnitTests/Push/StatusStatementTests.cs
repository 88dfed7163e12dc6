using System.Text.RegularExpressions;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.UnitTests.Push;

/// <summary>
/// The status-changing statements against the transition table: what each statement's SQL guards on and
/// sets is read back from its text, so an edit of the SQL that strays from the table fails here.
/// </summary>
public partial class StatusStatementTests
{
    private static IEnumerable<StatusStatement> Statements => RequestStatusChanges.All.Concat(JobStatusChanges.All);

    private static IEnumerable<TestCaseData> EachStatement() => Statements.Select(s => new TestCaseData(s).SetName($"Statement {s.Name}"));

    [TestCaseSource(nameof(EachStatement))]
    public void Each_guard_in_the_SQL_equals_the_from_states_of_its_rows(StatusStatement statement)
    {
        var guards = QualifiedGuard().Matches(statement.Sql).Select(m => (Column: m.Groups["column"].Value, Statuses: Statuses(m))).ToList();
        Assert.That(guards, Is.Not.Empty, "a status change is guarded by the current status");
        foreach (var (column, statuses) in guards)
        {
            var transition = statement.Transitions.SingleOrDefault(t => t.Alias + ".status" == column);
            var read = statement.Reads.SingleOrDefault(r => r.Column == column);
            Assert.That(transition is not null || read is not null, Is.True, $"{column} is neither a declared transition nor a declared read");
            Assert.That(statuses, Is.EquivalentTo(transition?.From ?? read!.Statuses), column);
        }

        foreach (var transition in statement.Transitions)
        {
            Assert.That(guards.Any(g => g.Column == transition.Alias + ".status"), Is.True, $"the {transition.Record} change is guarded");
        }
    }

    [TestCaseSource(nameof(EachStatement))]
    public void What_the_SQL_sets_equals_the_to_states_of_its_rows(StatusStatement statement)
    {
        var targets = SetStatus().Matches(statement.Sql).SelectMany(m => StatusLiteral().Matches(m.Groups["value"].Value).Select(l => PushStatuses.Parse(l.Groups[1].Value))).ToHashSet();
        Assert.That(targets, Is.EquivalentTo(statement.Transitions.SelectMany(t => t.To).ToHashSet()));
    }

    [TestCaseSource(nameof(EachStatement))]
    public void Every_status_in_the_SQL_is_a_guard_a_target_or_a_declared_read(StatusStatement statement)
    {
        var accounted = QualifiedGuard().Matches(statement.Sql).Sum(m => Statuses(m).Count)
            + SetStatus().Matches(statement.Sql).Sum(m => StatusLiteral().Count(m.Groups["value"].Value));
        Assert.That(StatusLiteral().Count(statement.Sql), Is.EqualTo(accounted));
    }

    [TestCaseSource(nameof(EachStatement))]
    public void Every_change_a_statement_declares_is_a_row_of_the_table(StatusStatement statement)
    {
        foreach (var transition in statement.Transitions)
        {
            foreach (var (from, to) in transition.Pairs)
            {
                Assert.That(PushStatusTransitions.IsAllowed(transition.Record, from, to, transition.Actor), Is.True, $"{transition.Record} {from} -> {to} ({transition.Actor})");
            }
        }
    }

    [Test]
    public void Every_row_of_the_table_has_a_statement()
    {
        var performed = Statements.SelectMany(s => s.Transitions).SelectMany(t => t.Pairs.Select(p => (t.Record, p.From, p.To, t.Actor))).ToHashSet();
        Assert.That(performed, Is.EquivalentTo(PushStatusTransitions.Rows));
    }

    [Test]
    public void The_database_guard_allows_exactly_the_rows_of_the_table()
    {
        // The latest definition of the guard's table (a later migration may add a row).
        var migration = MigrationRunner.All.Last(m => m.Sql.Contains("FUNCTION push_transition_allowed", StringComparison.Ordinal));
        var rows = GuardRow().Matches(migration.Sql)
            .Select(m => (Record: m.Groups[1].Value == "request" ? PushRecord.Request : PushRecord.Job, From: PushStatuses.Parse(m.Groups[2].Value), To: PushStatuses.Parse(m.Groups[3].Value)))
            .ToList();
        Assert.That(rows, Is.EquivalentTo(PushStatusTransitions.Rows.Select(r => (r.Record, r.From, r.To)).Distinct()));
    }

    private static List<PushStatus> Statuses(Match guard) =>
        [.. StatusLiteral().Matches(guard.Groups["value"].Value).Select(l => PushStatuses.Parse(l.Groups[1].Value))];

    [GeneratedRegex(@"(?<column>\b\w+\.status)\s*(?<value>=\s*'[^']*'|IN\s*\([^)]*\)|=\s*ANY\s*\(ARRAY\[[^\]]*\]\))")]
    private static partial Regex QualifiedGuard();

    [GeneratedRegex(@"\bSET\s+status\s*=\s*(?<value>CASE\b.*?\bEND\b|'[^']*')", RegexOptions.Singleline)]
    private static partial Regex SetStatus();

    [GeneratedRegex("'(Created|Pending|In Progress|Succeeded|Failed|Canceled)'")]
    private static partial Regex StatusLiteral();

    [GeneratedRegex(@"\('(request|job)', '([^']+)', '([^']+)'\)")]
    private static partial Regex GuardRow();
}
