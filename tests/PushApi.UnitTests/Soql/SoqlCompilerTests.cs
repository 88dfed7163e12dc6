using PushApi.Core.Soql;

namespace PushApi.UnitTests.Soql;

public class SoqlCompilerTests
{
    private static CompiledQuery Compile(string soql, long? userRowScope = null) => SoqlCompiler.Compile(soql, SoqlParser.Parse(soql), userRowScope, TimeProvider.System);

    [Test]
    public void A_caller_who_is_not_an_admin_reads_only_their_own_User_row()
    {
        Assert.That(Compile("SELECT Username, Email FROM User", userRowScope: 42).From, Does.Contain("WHERE id = 42"));
        Assert.That(Compile("SELECT Username, Email FROM User").From, Does.Not.Contain("WHERE"), "an admin reads every row");
    }

    [Test]
    public void A_NUL_character_is_a_malformed_query_whose_message_holds_none()
    {
        var error = Assert.Throws<SoqlException>(() => SoqlParser.Parse("SELECT Id FROM PackageSubscriber WHERE OrgName = 'a\u0000b'"));
        Assert.That(error!.ErrorCode, Is.EqualTo(SoqlException.MalformedQuery));
        Assert.That(error.Message, Does.Contain("NUL").And.Not.Contain("\u0000"));
    }

    [Test]
    public void Values_from_the_statement_never_reach_the_SQL_text()
    {
        const string hostile = "x'; DROP TABLE push_jobs; --";
        var soql = $"SELECT Id, OrgName FROM PackageSubscriber WHERE OrgName = '{hostile.Replace("'", "\\'", StringComparison.Ordinal)}' " +
                   $"OR InstanceName IN ('{hostile.Replace("'", "\\'", StringComparison.Ordinal)}') OR OrgName LIKE 'DROP%' ORDER BY OrgName";
        var query = Compile(soql);
        var sql = string.Join(" ", query.Columns) + query.From + query.Where;
        Assert.That(sql, Does.Not.Contain("DROP").And.Not.Contain("--"));
        Assert.That(query.Parameters.Select(p => p.Value), Does.Contain(hostile.ToLowerInvariant()));
    }

    [Test]
    public void Names_come_from_the_catalog_whatever_their_case_in_the_statement()
    {
        var query = Compile("select ID, packageversion.metadatapackage.NAME from packagepushrequest where STATUS = 'pending'");
        Assert.That(query.From, Does.StartWith("sobject_package_push_request t0 LEFT JOIN sobject_metadata_package_version"));
        Assert.That(query.Where, Is.EqualTo("t0.status = $1"));
        Assert.That(query.Parameters[0].Value, Is.EqualTo("Pending"), "picklist values are compared in their canonical spelling");
    }

    [TestCase("SELECT Nope FROM PackagePushRequest", SoqlException.InvalidField)]
    [TestCase("SELECT Id FROM Nope", SoqlException.InvalidType)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Nope.Name = 'x'", SoqlException.InvalidField)]
    [TestCase("SELECT Id, (SELECT Id FROM Nopes) FROM PackagePushRequest", SoqlException.InvalidType)]
    [TestCase("SELECT Id FROM PackagePushError WHERE ErrorMessage = 'x'", SoqlException.InvalidField)]
    [TestCase("SELECT Id FROM PackagePushRequest ORDER BY DurationSeconds", SoqlException.InvalidField)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Id = 'not-an-id'", SoqlException.InvalidFilterOperator)]
    [TestCase("SELECT Id FROM MetadataPackageVersion WHERE MajorVersion = '1'", SoqlException.MalformedQuery)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE ScheduledStartTime > '2025-01-01T00:00:00Z'", SoqlException.MalformedQuery)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE IsMigration = 'true'", SoqlException.MalformedQuery)]
    [TestCase("SELECT Id, Id FROM PackagePushRequest", SoqlException.MalformedQuery)]
    [TestCase("SELECT Status, COUNT(Id) FROM PackagePushJob", SoqlException.MalformedQuery)]
    [TestCase("SELECT COUNT(), COUNT(Id) FROM PackagePushJob", SoqlException.MalformedQuery)]
    [TestCase("SELECT Id FROM PackagePushJob WHERE ScheduledStartTime > TODAY", SoqlException.InvalidField)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE Status < null", SoqlException.InvalidFilterOperator)]
    [TestCase("SELECT Id FROM PackagePushRequest WHERE IsMigration LIKE 'x'", SoqlException.InvalidFilterOperator)]
    public void Checks_against_the_catalog_answer_with_Salesforce_codes(string soql, string code) =>
        Assert.That(Assert.Throws<SoqlException>(() => Compile(soql))!.ErrorCode, Is.EqualTo(code));

    [Test]
    public void Ids_of_another_object_match_nothing_instead_of_failing()
    {
        var query = Compile("SELECT Id FROM PackagePushRequest WHERE Id = '033000000000001AAA'");
        Assert.That(query.Where, Is.EqualTo("FALSE"));
        Assert.That(Compile("SELECT Id FROM PackagePushRequest WHERE Id != '033000000000001AAA'").Where, Is.EqualTo("TRUE"));
    }

    [Test]
    public void Every_query_ends_its_order_with_the_id_so_pages_are_stable()
    {
        var query = Compile("SELECT Id FROM PackagePushJob ORDER BY Status DESC");
        Assert.That(query.Keys.Select(k => k.Sql), Is.EqualTo(new[] { "array_position($1, t0.status)", "t0.id" }));
        Assert.That(query.Keys[0].NullsFirst, Is.True, "SOQL sorts nulls first unless told otherwise");
    }
}
