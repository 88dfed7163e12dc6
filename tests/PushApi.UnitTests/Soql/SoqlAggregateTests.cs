using PushApi.Core.Soql;

namespace PushApi.UnitTests.Soql;

/// <summary>GROUP BY, HAVING, the aggregate functions, date functions, semi-joins and FIELDS(): what they parse into, the SQL they become, and every refusal.</summary>
public class SoqlAggregateTests
{
    private static CompiledQuery Compile(string soql, long? userRowScope = null) => SoqlCompiler.Compile(soql, SoqlParser.Parse(soql), userRowScope, TimeProvider.System);

    private static SoqlException Refusal(string soql) => Assert.Throws<SoqlException>(() => Compile(soql))!;

    [Test]
    public void GROUP_BY_HAVING_and_ORDER_BY_parse_into_their_parts()
    {
        var query = SoqlParser.Parse(
            "SELECT PackagePushRequest.Status, CALENDAR_YEAR(StartTime) y, COUNT(Id), SUM(DurationSeconds) total FROM PackagePushJob " +
            "GROUP BY PackagePushRequest.Status, CALENDAR_YEAR(StartTime) HAVING COUNT(Id) > 1 AND PackagePushRequest.Status != 'Failed' ORDER BY COUNT(Id) DESC, CALENDAR_YEAR(StartTime)");
        Assert.That(query.GroupBy.Select(g => g.ToString()), Is.EqualTo(new[] { "PackagePushRequest.Status", "CALENDAR_YEAR(StartTime)" }));
        Assert.That(((FieldSelect)query.Select[1]).Alias, Is.EqualTo("y"));
        Assert.That(((AggregateSelect)query.Select[3]).Function, Is.EqualTo("SUM"));
        Assert.That(((AndCondition)query.Having!).Parts[0], Is.InstanceOf<AggregateCondition>());
        Assert.That(query.OrderBy[0].Aggregate?.Function, Is.EqualTo("COUNT"));
        Assert.That(query.OrderBy[1].Field.Function, Is.EqualTo("CALENDAR_YEAR"));
    }

    [Test]
    public void The_common_status_count_becomes_one_GROUP_BY_statement()
    {
        var query = Compile("SELECT Status, COUNT(Id) FROM PackagePushJob WHERE PackagePushRequestId = '0DV000000000001' GROUP BY Status");
        Assert.That(query.IsAggregate && !query.IsCountOnly);
        Assert.That(query.Columns.Skip(1), Is.EqualTo(new[] { "t0.status", "count(t0.id)" }));
        Assert.That(query.GroupBy, Is.EqualTo(new[] { "t0.status" }));
        Assert.That(query.AggregateOrder, Is.EqualTo(new[] { "t0.status ASC NULLS FIRST" }), "groups come in a stable order");
        Assert.That(query.Output.Select(o => o.Name), Is.EqualTo(new[] { "Status", "expr0" }));
    }

    [Test]
    public void Grouped_fields_keep_their_last_name_and_unaliased_expressions_are_numbered()
    {
        var query = Compile("SELECT PackagePushRequest.Status, COUNT(Id) n, MIN(StartTime), DAY_ONLY(EndTime), AVG(DurationSeconds) FROM PackagePushJob GROUP BY PackagePushRequest.Status, DAY_ONLY(EndTime)");
        Assert.That(query.Output.Select(o => o.Name), Is.EqualTo(new[] { "Status", "n", "expr0", "expr1", "expr2" }));
        Assert.That(query.GroupBy[1], Is.EqualTo("(t0.endtime AT TIME ZONE 'UTC')::date"));
    }

    [Test]
    public void HAVING_compares_aggregates_and_grouped_fields_with_parameters()
    {
        var query = Compile("SELECT Status, COUNT(Id) FROM PackagePushJob GROUP BY Status HAVING COUNT(Id) >= 2 AND Status != 'Failed' ORDER BY COUNT(Id) DESC");
        Assert.That(query.Having, Is.EqualTo("(count(t0.id)::numeric >= $1 AND t0.status IS DISTINCT FROM $2)"));
        Assert.That(query.AggregateOrder[0], Is.EqualTo("count(t0.id) DESC NULLS FIRST"));
    }

    [Test]
    public void An_org_key_grouped_can_be_compared_in_HAVING_through_its_key_column()
    {
        var query = Compile("SELECT SubscriberOrganizationKey, COUNT(Id) FROM PackagePushJob GROUP BY SubscriberOrganizationKey HAVING SubscriberOrganizationKey = '00D000000000001'");
        Assert.That(query.GroupBy, Is.EqualTo(new[] { "t0.subscriberorganizationkey", "t0.org_key" }));
    }

    [Test]
    public void Date_functions_compare_in_WHERE_as_integers_or_dates()
    {
        var query = Compile("SELECT Id FROM PackagePushRequest WHERE CALENDAR_YEAR(ScheduledStartTime) = 2025 AND DAY_ONLY(ScheduledStartTime) IN (2025-01-01, 2025-01-02) AND CALENDAR_MONTH(ScheduledStartTime) != null");
        Assert.That(query.Where, Does.Contain("extract(year FROM t0.scheduledstarttime AT TIME ZONE 'UTC')::int = $1"));
        Assert.That(query.Where, Does.Contain("(t0.scheduledstarttime AT TIME ZONE 'UTC')::date = ANY($2)"));
        Assert.That(query.Parameters[0].Value, Is.EqualTo(2025));
        Assert.That(query.Parameters[1].Value, Is.EqualTo(new[] { new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 2) }));
    }

    [Test]
    public void A_semi_join_and_an_anti_join_become_EXISTS_sub_selects_sharing_the_parameters()
    {
        var query = Compile(
            "SELECT Id FROM PackagePushRequest WHERE Status = 'Succeeded' AND Id IN (SELECT PackagePushRequestId FROM PackagePushJob WHERE Status = 'Failed') " +
            "AND PackageVersionId NOT IN (SELECT MetadataPackageVersionId FROM PackageSubscriber WHERE OrgType = 'Sandbox')");
        Assert.That(query.Where, Does.Contain("EXISTS (SELECT 1 FROM sobject_package_push_job t0_s1 WHERE t0_s1.packagepushrequestid = t0.id AND t0_s1.status = $2)"));
        Assert.That(query.Where, Does.Contain("NOT EXISTS (SELECT 1 FROM sobject_package_subscriber t0_s2 WHERE t0_s2.metadatapackageversionid = t0.packageversionid AND t0_s2.orgtype = $3)"));
        Assert.That(query.Parameters.Select(p => p.Value), Is.EqualTo(new object[] { "Succeeded", "Failed", "Sandbox" }));
    }

    [Test]
    public void A_semi_join_on_User_keeps_the_callers_row_scope()
    {
        var query = Compile("SELECT Username FROM User WHERE Id IN (SELECT Id FROM User WHERE Email LIKE '%@x.org')", userRowScope: 42);
        Assert.That(query.Where, Does.Contain("FROM (SELECT * FROM sobject_user WHERE id = 42) t0_s1"));
    }

    [Test]
    public void FIELDS_selects_every_field_of_the_object_once()
    {
        var all = Compile("SELECT Id, FIELDS(ALL) FROM PackagePushJob LIMIT 200");
        var standard = Compile("SELECT FIELDS(STANDARD) FROM PackagePushJob");
        Assert.That(all.Output.Select(o => o.Name), Is.EqualTo(standard.Output.Select(o => o.Name)));
        Assert.That(standard.Output.Select(o => o.Name), Does.Contain("SubscriberOrganizationKey").And.Contain("SystemModstamp"));
        Assert.That(standard.Output.Select(o => o.Name).Distinct().Count(), Is.EqualTo(standard.Output.Count));
    }

    [TestCase("SELECT FIELDS(ALL) FROM PackagePushJob", "LIMIT of at most 200")]
    [TestCase("SELECT FIELDS(ALL) FROM PackagePushJob LIMIT 201", "LIMIT of at most 200")]
    [TestCase("SELECT FIELDS(CUSTOM) FROM PackagePushJob LIMIT 10", "FIELDS(CUSTOM)")]
    [TestCase("SELECT FIELDS(STANDARD), COUNT(Id) FROM PackagePushJob", "FIELDS(STANDARD)")]
    [TestCase("SELECT Status, COUNT(Id) FROM PackagePushJob", "Field must be grouped or aggregated: Status")]
    [TestCase("SELECT Status, StartTime FROM PackagePushJob GROUP BY Status", "Field must be grouped or aggregated: StartTime")]
    [TestCase("SELECT Status, COUNT(Id) FROM PackagePushJob GROUP BY Status HAVING SubscriberOrganizationKey = 'x'", "Field must be grouped or aggregated: SubscriberOrganizationKey")]
    [TestCase("SELECT Status, COUNT(Id) FROM PackagePushJob GROUP BY Status ORDER BY StartTime", "Field must be grouped or aggregated: StartTime")]
    [TestCase("SELECT COUNT() FROM PackagePushJob GROUP BY Status", "COUNT() must be the only element")]
    [TestCase("SELECT COUNT(Id) FROM PackagePushJob ORDER BY COUNT(Id)", "no GROUP BY")]
    [TestCase("SELECT Status, COUNT(Id) Status FROM PackagePushJob GROUP BY Status", "duplicate alias: Status")]
    [TestCase("SELECT SUM(Status) FROM PackagePushJob", "does not support aggregate operator SUM")]
    [TestCase("SELECT AVG(StartTime) FROM PackagePushJob", "does not support aggregate operator AVG")]
    [TestCase("SELECT Status, COUNT(Id) FROM PackagePushJob GROUP BY Status HAVING COUNT(Id) > 'x'", "must be a number")]
    [TestCase("SELECT Status, (SELECT Id FROM PackagePushErrors) FROM PackagePushJob GROUP BY Status", "a child relationship query")]
    [TestCase("SELECT Id FROM PackagePushJob WHERE COUNT(Id) > 1", "allowed in HAVING, not in WHERE")]
    [TestCase("SELECT CALENDAR_YEAR(StartTime) FROM PackagePushJob", "aggregate query (with GROUP BY) only")]
    [TestCase("SELECT Status s FROM PackagePushJob", "only aggregate queries may alias a field")]
    [TestCase("SELECT Id FROM PackagePushJob ORDER BY CALENDAR_YEAR(StartTime)", "GROUP BY only")]
    [TestCase("SELECT Id FROM PackagePushJob WHERE CALENDAR_YEAR(Status) = 2025", "applies to date and dateTime fields")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE CALENDAR_YEAR(ScheduledStartTime) = '2025'", "must be an integer")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE DAY_ONLY(ScheduledStartTime) = 2025", "must be a date")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT Id, Status FROM PackagePushJob)", "exactly one Id or reference field")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT Status FROM PackagePushJob)", "selects an Id or reference field")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Status IN (SELECT Status FROM PackagePushJob)", "left operand of a semi-join must be an Id or reference field")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT Id FROM PackagePushJob)", "selects PackagePushJob ids, but Id holds PackagePushRequest ids")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushJob.PackagePushRequestId FROM PackagePushError)", "cannot go through a relationship")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob LIMIT 1)", "not allowed in a semi-join sub-select")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob ORDER BY Status)", "not allowed in a semi-join sub-select")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob WHERE Id IN (SELECT PackagePushJobId FROM PackagePushError))", "Nesting of semi-join")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob) OR Status = 'Failed'", "cannot be combined with OR")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE NOT Id IN (SELECT PackagePushRequestId FROM PackagePushJob)", "use NOT IN")]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob) AND Id IN (SELECT PackagePushRequestId FROM PackagePushJob) AND Id NOT IN (SELECT PackagePushRequestId FROM PackagePushJob)", "at most 2 semi-join")]
    [TestCase("SELECT Status, COUNT(Id) FROM PackagePushJob GROUP BY Status HAVING Status IN (SELECT Status FROM PackagePushJob)", "not in HAVING")]
    public void Unsupported_constructs_are_MALFORMED_QUERY_naming_them(string soql, string problem)
    {
        var error = Refusal(soql);
        Assert.That(error.ErrorCode, Is.EqualTo(SoqlException.MalformedQuery), error.Message);
        Assert.That(error.Message, Does.Contain(problem));
    }

    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM Nope)", SoqlException.InvalidType)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT Nope FROM PackagePushJob)", SoqlException.InvalidField)]
    [TestCase("SELECT ErrorMessage, COUNT(Id) FROM PackagePushError GROUP BY ErrorMessage", SoqlException.InvalidField)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE DAY_ONLY(ScheduledStartTime) LIKE 'x'", SoqlException.InvalidFilterOperator)]
    public void Unknown_names_keep_their_own_codes(string soql, string code) => Assert.That(Refusal(soql).ErrorCode, Is.EqualTo(code));

    [TestCase("SELECT Id FROM X GROUP BY CUBE(Id)", "GROUP BY CUBE")]
    [TestCase("SELECT Id FROM X FOR UPDATE", "FOR UPDATE")]
    [TestCase("SELECT TYPEOF What WHEN Account THEN Name END FROM X", "TYPEOF")]
    [TestCase("SELECT convertTimezone(CreatedDate) FROM X", "CONVERTTIMEZONE()")]
    [TestCase("SELECT Id FROM X WHERE toLabel(Status) = 'x'", "TOLABEL()")]
    public void Unsupported_syntax_is_named_by_the_parser(string soql, string construct)
    {
        var error = Assert.Throws<SoqlException>(() => SoqlParser.Parse(soql))!;
        Assert.That((error.ErrorCode, error.Message.Contains(construct, StringComparison.Ordinal)), Is.EqualTo((SoqlException.MalformedQuery, true)), error.Message);
    }
}
