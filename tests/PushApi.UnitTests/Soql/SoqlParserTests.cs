using PushApi.Core.Soql;

namespace PushApi.UnitTests.Soql;

public class SoqlParserTests
{
    [Test]
    public void A_full_statement_parses_into_its_parts()
    {
        var query = SoqlParser.Parse(
            "select Id, PackageVersion.MetadataPackage.Name, COUNT(Id) c, (SELECT ErrorMessage FROM PackagePushErrors WHERE ErrorType = 'DeployError' LIMIT 1) " +
            "FROM PackagePushJob WHERE (Status != 'Succeeded' AND NOT SubscriberOrganizationKey LIKE '00D%') OR Id IN ('a', 'b') " +
            "ORDER BY CreatedDate DESC NULLS LAST, Id LIMIT 10 OFFSET 5");
        Assert.That(query.From, Is.EqualTo("PackagePushJob"));
        Assert.That(query.Select, Has.Count.EqualTo(4));
        Assert.That(((FieldSelect)query.Select[1]).Path.Segments, Is.EqualTo(new[] { "PackageVersion", "MetadataPackage", "Name" }));
        Assert.That(((AggregateSelect)query.Select[2]).Alias, Is.EqualTo("c"));
        Assert.That(((SubquerySelect)query.Select[3]).Query.Limit, Is.EqualTo(1));
        Assert.That(query.Where, Is.InstanceOf<OrCondition>());
        Assert.That(query.OrderBy.Select(o => (o.Field.ToString(), o.Descending, o.NullsFirst)), Is.EqualTo(new[] { ("CreatedDate", true, (bool?)false), ("Id", false, (bool?)null) }));
        Assert.That((query.Limit, query.Offset), Is.EqualTo(((int?)10, (int?)5)));
    }

    [TestCase("2025-06-01T10:20:30.123Z", "2025-06-01T10:20:30.1230000+00:00")]
    [TestCase("2025-06-01T10:20:30Z", "2025-06-01T10:20:30.0000000+00:00")]
    [TestCase("2025-06-01T12:20:30+02:00", "2025-06-01T10:20:30.0000000+00:00")]
    [TestCase("2025-06-01T05:20:30.5-0500", "2025-06-01T10:20:30.5000000+00:00")]
    public void Datetime_literals_are_read_with_milliseconds_and_offsets(string literal, string utc)
    {
        var query = SoqlParser.Parse($"SELECT Id FROM PackagePushRequest WHERE ScheduledStartTime >= {literal}");
        var value = ((DateTimeLiteral)((ComparisonCondition)query.Where!).Value).Value;
        Assert.That(value.ToString("O", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(utc));
    }

    [Test]
    public void Other_literals_have_their_types()
    {
        Literal Value(string literal) => ((ComparisonCondition)SoqlParser.Parse($"SELECT Id FROM X WHERE F = {literal}").Where!).Value;
        Assert.That(Value("'it\\'s'"), Is.EqualTo(new StringLiteral("it's", 27)));
        Assert.That(Value("''"), Is.EqualTo(new StringLiteral("", 27)));
        Assert.That(Value("-12.5"), Is.InstanceOf<NumberLiteral>());
        Assert.That(Value("TRUE"), Is.EqualTo(new BooleanLiteral(true, 27)));
        Assert.That(Value("null"), Is.InstanceOf<NullLiteral>());
        Assert.That(Value("2025-01-31"), Is.InstanceOf<DateLiteral>());
        Assert.That(Value("LAST_N_DAYS:7"), Is.EqualTo(new RelativeDateLiteral("LAST_N_DAYS", 7, 27)));
        Assert.That(Value("today"), Is.EqualTo(new RelativeDateLiteral("TODAY", 0, 27)));
    }

    [Test]
    public void Not_equal_has_two_spellings() =>
        Assert.That(((ComparisonCondition)SoqlParser.Parse("SELECT Id FROM X WHERE A <> 'b'").Where!).Operator, Is.EqualTo("!="));

    [TestCase("SELECT Id FROM X WHERE A = 1 AND B = 2 OR C = 3", 40, Description = "AND and OR mixed without parentheses")]
    [TestCase("SELECT FROM X", 8)]
    [TestCase("SELECT Id X", 12, Description = "X is an alias, then FROM is missing")]
    [TestCase("SELECT Id FROM X WHERE", 23)]
    [TestCase("SELECT Id FROM X LIMIT -1", 24)]
    [TestCase("SELECT Id FROM X WHERE A = 'open", 28)]
    [TestCase("SELECT Id FROM X WHERE A = 'bad\\q'", 32)]
    [TestCase("SELECT Id FROM X WHERE A ~ 1", 26)]
    [TestCase("SELECT Id, (SELECT Id, (SELECT Id FROM Z) FROM Y) FROM X", 24, Description = "child queries do not nest")]
    [TestCase("SELECT Id FROM X GROUP BY ROLLUP(Id)", 27)]
    [TestCase("SELECT Id FROM X HAVING COUNT(Id) > 1", 18, Description = "HAVING needs GROUP BY")]
    [TestCase("SELECT Id FROM X WITH SECURITY_ENFORCED", 18)]
    [TestCase("SELECT FISCAL_YEAR(CreatedDate) FROM X", 8)]
    [TestCase("SELECT FIELDS(SOME) FROM X", 15)]
    public void Malformed_statements_name_the_column_of_the_problem(string soql, int column)
    {
        var e = Assert.Throws<SoqlException>(() => SoqlParser.Parse(soql))!;
        Assert.That(e.ErrorCode, Is.EqualTo(SoqlException.MalformedQuery));
        Assert.That((e.Row, e.Column), Is.EqualTo((1, column)), e.Message);
        Assert.That(e.Message, Does.Contain($"ERROR at Row:1:Column:{column}"));
    }

    [Test]
    public void Positions_count_rows_on_multi_line_statements()
    {
        var e = Assert.Throws<SoqlException>(() => SoqlParser.Parse("SELECT Id\nFROM X\nWHERE A = = 1"))!;
        Assert.That((e.Row, e.Column), Is.EqualTo((3, 11)));
        Assert.That(e.Message, Does.StartWith("\nWHERE A = = 1\n          ^\n"));
    }

    [Test]
    public void Deep_nesting_and_huge_IN_lists_are_refused_not_recursed_into()
    {
        var deep = "SELECT Id FROM X WHERE " + new string('(', 5000) + "A = 1" + new string(')', 5000);
        Assert.That(Assert.Throws<SoqlException>(() => SoqlParser.Parse(deep))!.Message, Does.Contain("nests more than"));
        var nots = "SELECT Id FROM X WHERE " + string.Concat(Enumerable.Repeat("NOT ", 5000)) + "A = 1";
        Assert.Throws<SoqlException>(() => SoqlParser.Parse(nots));
        var values = "SELECT Id FROM X WHERE A IN (" + string.Join(",", Enumerable.Range(0, 12_000)) + ")";
        Assert.That(Assert.Throws<SoqlException>(() => SoqlParser.Parse(values))!.Message, Does.Contain("IN list"));
        Assert.Throws<SoqlException>(() => SoqlParser.Parse("SELECT Id FROM X WHERE A = '" + new string('x', 200_000) + "'"));
    }
}
