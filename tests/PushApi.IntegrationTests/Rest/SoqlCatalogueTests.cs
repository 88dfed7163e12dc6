using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// Every statement of salesforce-push-api.md section 3.9, sent as its client sends it (spacing, case and
/// all), against a data set whose answers are known.
/// </summary>
public class SoqlCatalogueTests() : ApiFixture("soql", runPushes: false)
{
    private const string Org1 = "00DsoqlOrg00001"; // Production, Active, on 1.0
    private const string Org2 = "00DsoqlOrg00002"; // Sandbox, Active, on 1.0
    private const string Org3 = "00DsoqlOrg00003"; // Sandbox, Trial, on 1.1
    private const string Org4 = "00DsoqlOrg00004"; // Production, Inactive, on 1.0
    private const string Org5 = "00DsoqlOrg00005"; // Sandbox, Active, on 1.2 (newest)
    private const string Org6 = "00DsoqlOrg00006"; // Production, Active, 1.0 uninstalled

    private string _package = null!;
    private string _unmanaged = null!;
    private string _v10 = null!;
    private string _v11 = null!;
    private string _v12 = null!;
    private string _v123 = null!;
    private string _v13Beta = null!;
    private string _finished = null!;
    private string _pending = null!;
    private string _migration = null!;
    private Dictionary<string, string> _jobs = null!;

    protected override async Task OnStartedAsync()
    {
        _package = (await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Acme CRM", namespacePrefix = "acme" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        _unmanaged = (await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Unmanaged Tools" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        _v10 = await VersionAsync("Spring", 1, 0, 0, 1, "Released");
        _v11 = await VersionAsync("Summer", 1, 1, 0, 1, "Released");
        _v12 = await VersionAsync("Winter", 1, 2, 0, 1, "Released");
        _v123 = await VersionAsync("Winter Patch", 1, 2, 3, 1, "Released");
        _v13Beta = await VersionAsync("Next (Beta 1)", 1, 3, 0, 1, "Beta");

        var tenants = new object[]
        {
            new { orgKey = Org1, orgName = "One", orgType = "Production", orgStatus = "Active", instanceName = "NA1", packageVersionId = _v10 },
            new { orgKey = Org2, orgName = "Two", orgType = "Sandbox", orgStatus = "Active", instanceName = "CS17", packageVersionId = _v10 },
            new { orgKey = Org3, orgName = "Three", orgType = "Sandbox", orgStatus = "Trial", instanceName = "CS17", packageVersionId = _v11 },
            new { orgKey = Org4, orgName = "Four", orgType = "Production", orgStatus = "Inactive", instanceName = "NA1", packageVersionId = _v10 },
            new { orgKey = Org5, orgName = "Five", orgType = "Sandbox", orgStatus = "Active", instanceName = "EU5", packageVersionId = _v12 },
            new { orgKey = Org6, orgName = "Six", orgType = "Production", orgStatus = "Active", instanceName = "NA1", packageVersionId = _v10 },
        };
        await Admin.PostAsJsonAsync("/api/v1/tenants/import", tenants).ExpectAsync(HttpStatusCode.OK);
        await Admin.DeleteAsync($"/api/v1/installations/{Org6}/{_package}").ExpectAsync(HttpStatusCode.OK);

        _finished = await CreateRequestAsync(new { PackageVersionId = _v12, ScheduledStartTime = "2025-06-15T10:00:00Z" });
        await AddJobsAsync(_finished, Org1, Org2, Org3);
        _pending = await CreateRequestAsync(new { PackageVersionId = _v12 });
        await AddJobsAsync(_pending, Org1);
        await Admin.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{_pending}", new { Status = "Pending" }).ExpectAsync(HttpStatusCode.NoContent);
        _migration = await CreateRequestAsync(new { PackageVersionId = _v11, IsMigration = true, ScheduledStartTime = "2024-01-01T00:00:00Z" });

        var jobs = await QueryAsync($"SELECT Id, SubscriberOrganizationKey FROM PackagePushJob WHERE PackagePushRequestId = '{_finished}'");
        _jobs = jobs.GetProperty("records").EnumerateArray().ToDictionary(r => r.Text("SubscriberOrganizationKey"), r => r.Text("Id"));

        // What the push engine leaves behind when the first request has run: one org upgraded, two failed
        // (through the legal steps: the database refuses any other status change).
        await ExecuteAsync(
            """
            UPDATE push_requests SET status = 'Pending' WHERE id = 1;
            UPDATE push_jobs SET status = 'Pending' WHERE request_id = 1;
            UPDATE push_jobs SET status = 'In Progress' WHERE request_id = 1;
            UPDATE push_requests SET status = 'In Progress' WHERE id = 1;
            UPDATE push_requests SET status = 'Succeeded', start_time = '2025-06-15T10:00:01Z', end_time = '2025-06-15T10:01:01Z', duration_seconds = 60,
                   succeeded_count = 1, failed_count = 2 WHERE id = 1;
            UPDATE push_jobs SET status = 'Succeeded', start_time = '2025-06-15T10:00:01Z', end_time = '2025-06-15T10:00:11Z', duration_seconds = 10 WHERE request_id = 1 AND org_key = '00DsoqlOrg00001';
            UPDATE push_jobs SET status = 'Failed', start_time = '2025-06-15T10:00:01Z', end_time = '2025-06-15T10:00:21Z', duration_seconds = 20 WHERE request_id = 1 AND org_key <> '00DsoqlOrg00001';
            INSERT INTO push_errors (job_id, error_severity, error_type, error_title, error_message, error_details, created_at, system_modstamp)
            SELECT id, 'Error', 'IneligibleUpgrade', 'Dependent Package Conflict', 'This package requires a newer version of a dependent package. error number: 731858695-80805 (-151184096).', NULL, now(), now()
            FROM push_jobs WHERE request_id = 1 AND org_key <> '00DsoqlOrg00001';
            INSERT INTO push_errors (job_id, error_severity, error_type, error_title, error_message, error_details, created_at, system_modstamp)
            SELECT id, 'Warning', 'ApexTestFailure', 'Unexpected Failure', 'A test failed', 'details', now(), now()
            FROM push_jobs WHERE request_id = 1 AND org_key = '00DsoqlOrg00002';
            """);
    }

    private async Task<string> VersionAsync(string name, int major, int minor, int patch, int build, string state) =>
        (await Admin.PostAsJsonAsync($"/api/v1/packages/{_package}/versions", new { name, majorVersion = major, minorVersion = minor, patchVersion = patch, buildNumber = build, releaseState = state })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");

    private async Task<string> CreateRequestAsync(object body) =>
        (await Admin.PostAsJsonAsync("/services/data/v62.0/sobjects/packagepushrequest/", body).ExpectAsync(HttpStatusCode.Created)).Text("id");

    private async Task AddJobsAsync(string request, params string[] orgs)
    {
        var records = orgs.Select(o => new Dictionary<string, object>
        {
            ["attributes"] = new { type = "PackagePushJob", referenceId = o },
            ["PackagePushRequestId"] = request,
            ["SubscriberOrganizationKey"] = o,
        });
        await Admin.PostAsJsonAsync("/services/data/v43.0/composite/tree/PackagePushJob", new { records }).ExpectAsync(HttpStatusCode.Created);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>As simple_salesforce sends it: <c>/query/?q=</c> with <c>+</c> for spaces.</summary>
    private async Task<JsonElement> QueryAsync(string soql, string version = "62.0")
    {
        var encoded = string.Join("+", soql.Split(' ').Select(Uri.EscapeDataString));
        return await Admin.GetAsync($"/services/data/v{version}/query/?q={encoded}").ExpectAsync(HttpStatusCode.OK);
    }

    private static List<JsonElement> Records(JsonElement result) => [.. result.GetProperty("records").EnumerateArray()];

    private static List<string> Column(JsonElement result, string field) => [.. Records(result).Select(r => r.GetProperty(field).ToString())];

    private static List<string> Keys(JsonElement record) => [.. record.EnumerateObject().Select(p => p.Name)];

    [Test]
    public async Task S01_all_packages_with_lower_case_field_names_answer_in_canonical_case()
    {
        var result = await QueryAsync("SELECT id, name, namespaceprefix FROM MetadataPackage");
        Assert.That(result.GetProperty("totalSize").GetInt32(), Is.EqualTo(2));
        Assert.That(Keys(Records(result)[0]), Is.EqualTo(new[] { "attributes", "Id", "Name", "NamespacePrefix" }));
        Assert.That(Column(result, "Name"), Is.EquivalentTo(new[] { "Acme CRM", "Unmanaged Tools" }));
        Assert.That(Records(result)[0].GetProperty("attributes").Text("type"), Is.EqualTo("MetadataPackage"));
    }

    [Test]
    public async Task S02_package_by_namespace()
    {
        var result = await QueryAsync("SELECT id, name, namespaceprefix FROM MetadataPackage WHERE NamespacePrefix = 'acme' LIMIT 1");
        Assert.That(Column(result, "Id"), Is.EqualTo(new[] { _package }));
        Assert.That((await QueryAsync("SELECT id FROM MetadataPackage WHERE NamespacePrefix = 'ACME' LIMIT 1")).GetProperty("totalSize").GetInt32(), Is.EqualTo(1), "text compares without case");
    }

    [Test]
    public async Task S03_package_by_id_in_15_or_18_characters()
    {
        Assert.That(Column(await QueryAsync($"SELECT id, name, namespaceprefix FROM MetadataPackage WHERE Id = '{_package}' LIMIT 1"), "Id"), Is.EqualTo(new[] { _package }));
        Assert.That(Column(await QueryAsync($"SELECT id, name, namespaceprefix FROM MetadataPackage WHERE Id = '{_package[..15]}' LIMIT 1"), "Id"), Is.EqualTo(new[] { _package }));
    }

    [Test]
    public async Task S04_versions_in_CumulusCI_order()
    {
        var result = await QueryAsync("SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC");
        Assert.That(Column(result, "Id"), Is.EqualTo(new[] { _v13Beta, _v12, _v123, _v11, _v10 }));
        var first = Records(result)[1];
        Assert.That(first.GetProperty("PatchVersion").ValueKind, Is.EqualTo(JsonValueKind.Number), "PatchVersion is an int, never null");
        Assert.That(first.GetProperty("MetadataPackageId").GetString(), Is.EqualTo(_package));
    }

    [Test]
    public async Task S05_one_version_by_number()
    {
        var result = await QueryAsync($"SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}' AND (ReleaseState = 'Released' AND MajorVersion = 1 AND MinorVersion = 2 AND PatchVersion = 3) ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC LIMIT 1");
        Assert.That(Column(result, "Id"), Is.EqualTo(new[] { _v123 }));
        var beta = await QueryAsync($"SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}' AND (ReleaseState = 'Beta' AND MajorVersion = 1 AND MinorVersion = 3 AND BuildNumber = 1) ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC LIMIT 1");
        Assert.That(Column(beta, "Id"), Is.EqualTo(new[] { _v13Beta }));
    }

    [Test]
    public async Task S06_released_versions_with_the_package_condition_repeated()
    {
        var result = await QueryAsync($"SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}' AND (MetadataPackageId = '{_package}' AND ReleaseState = 'Released') ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC");
        Assert.That(Column(result, "Id"), Is.EqualTo(new[] { _v12, _v123, _v11, _v10 }));
    }

    [Test]
    public async Task S07_sandbox_subscribers_not_on_the_target_or_newer()
    {
        var result = await QueryAsync($"SELECT Id, MetadataPackageVersionId, InstalledStatus, InstanceName, OrgName, OrgKey, OrgStatus, OrgType from PackageSubscriber WHERE (OrgStatus != 'Inactive' AND InstalledStatus = 'i' AND (OrgType = 'Sandbox') AND MetadataPackageVersionId NOT IN ('{_v12}','{_v123}'))");
        Assert.That(Column(result, "OrgKey"), Is.EquivalentTo(new[] { Org2, Org3 }));
        Assert.That(Keys(Records(result)[0]), Is.EqualTo(new[] { "attributes", "Id", "MetadataPackageVersionId", "InstalledStatus", "InstanceName", "OrgName", "OrgKey", "OrgStatus", "OrgType" }));
        Assert.That(Records(result)[0].Text("Id"), Does.StartWith("0Hf"));
    }

    [Test]
    public async Task S08_active_installed_subscribers_of_one_version()
    {
        var result = await QueryAsync($"SELECT Id, MetadataPackageVersionId, InstalledStatus, InstanceName, OrgName, OrgKey, OrgStatus, OrgType from PackageSubscriber WHERE (OrgStatus != 'Inactive' AND InstalledStatus = 'i' AND MetadataPackageVersionId = '{_v10}')");
        Assert.That(Column(result, "OrgKey"), Is.EquivalentTo(new[] { Org1, Org2 }), "Inactive and uninstalled orgs are left out");
    }

    [Test]
    public async Task S09_subscriber_by_org_key_in_15_or_18_characters()
    {
        Assert.That(Column(await QueryAsync($"SELECT Id, MetadataPackageVersionId, InstalledStatus, InstanceName, OrgName, OrgKey, OrgStatus, OrgType from PackageSubscriber WHERE OrgKey = '{Org3}'"), "OrgName"), Is.EqualTo(new[] { "Three" }));
        var org3Long = Org3 + Core.Ids.SalesforceId.Checksum(Org3);
        Assert.That(Column(await QueryAsync($"SELECT OrgName from PackageSubscriber WHERE OrgKey = '{org3Long}'"), "OrgName"), Is.EqualTo(new[] { "Three" }));
    }

    [Test]
    public async Task S10_request_status_poll_with_the_id_condition_twice()
    {
        var result = await QueryAsync($"SELECT Id, PackageVersionId, ScheduledStartTime, Status FROM PackagePushRequest WHERE (Id = '{_finished}') AND (Id = '{_finished}') ORDER BY ScheduledStartTime DESC LIMIT 1");
        var record = Records(result).Single();
        Assert.That((record.Text("Status"), record.Text("ScheduledStartTime"), record.Text("PackageVersionId")), Is.EqualTo(("Succeeded", "2025-06-15T10:00:00.000+0000", _v12)));
    }

    [Test]
    public async Task S11_request_by_id_ordered()
    {
        var result = await QueryAsync($"SELECT Id, PackageVersionId, ScheduledStartTime, Status FROM PackagePushRequest WHERE (Id = '{_pending}') ORDER BY ScheduledStartTime DESC");
        var record = Records(result).Single();
        Assert.That(record.Text("Status"), Is.EqualTo("Pending"));
        Assert.That(record.GetProperty("ScheduledStartTime").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task S12_jobs_of_a_request_and_a_job_by_id()
    {
        var byRequest = await QueryAsync($"SELECT Id, PackagePushRequestId, SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{_finished}'");
        Assert.That(Column(byRequest, "SubscriberOrganizationKey"), Is.EquivalentTo(new[] { Org1, Org2, Org3 }));
        Assert.That(Records(byRequest).All(r => r.Text("Id").StartsWith("0DX", StringComparison.Ordinal)), Is.True);
        var byId = await QueryAsync($"SELECT Id, PackagePushRequestId, SubscriberOrganizationKey, Status FROM PackagePushJob WHERE Id = '{_jobs[Org1]}'");
        Assert.That(Records(byId).Single().Text("Status"), Is.EqualTo("Succeeded"));
    }

    [Test]
    public async Task S13_errors_of_a_job()
    {
        var result = await QueryAsync($"SELECT Id, PackagePushJobId, ErrorSeverity, ErrorType, ErrorTitle, ErrorMessage, ErrorDetails FROM PackagePushError WHERE PackagePushJobId = '{_jobs[Org2]}'");
        Assert.That(Column(result, "ErrorType"), Is.EquivalentTo(new[] { "IneligibleUpgrade", "ApexTestFailure" }));
        Assert.That(Records(result).All(r => r.Text("Id").StartsWith("0DY", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task S14_failure_report_with_a_child_subquery_null_when_empty()
    {
        var result = await QueryAsync($"SELECT ID, SubscriberOrganizationKey, (SELECT ErrorDetails, ErrorMessage, ErrorSeverity, ErrorTitle, ErrorType FROM PackagePushErrors) FROM PackagePushJob WHERE PackagePushRequestId = '{_finished}' AND Status !='Succeeded'", "43.0");
        var records = Records(result).OrderBy(r => r.Text("SubscriberOrganizationKey"), StringComparer.Ordinal).ToList();
        Assert.That(records.Select(r => r.Text("SubscriberOrganizationKey")), Is.EqualTo(new[] { Org2, Org3 }));
        var errors = records[0].GetProperty("PackagePushErrors");
        Assert.That((errors.GetProperty("totalSize").GetInt32(), errors.GetProperty("done").GetBoolean()), Is.EqualTo((2, true)));
        Assert.That(errors.GetProperty("records")[0].GetProperty("attributes").Text("type"), Is.EqualTo("PackagePushError"));
        Assert.That(Keys(records[0]), Is.EqualTo(new[] { "attributes", "Id", "SubscriberOrganizationKey", "PackagePushErrors" }));

        var none = await QueryAsync($"SELECT ID, (SELECT ErrorMessage FROM PackagePushErrors) FROM PackagePushJob WHERE Id = '{_jobs[Org1]}'");
        Assert.That(Records(none).Single().GetProperty("PackagePushErrors").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Integer_fields_filter_with_IN_and_NOT_IN_lists()
    {
        var select = $"SELECT Name FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}' AND ";
        Assert.That(Column(await QueryAsync(select + "MinorVersion IN (1, 2)"), "Name"), Is.EquivalentTo(new[] { "Summer", "Winter", "Winter Patch" }));
        Assert.That(Column(await QueryAsync(select + "MinorVersion NOT IN (1, 2)"), "Name"), Is.EquivalentTo(new[] { "Spring", "Next (Beta 1)" }));
        Assert.That(Column(await QueryAsync(select + "MinorVersion IN (2.5, 1)"), "Name"), Is.EquivalentTo(new[] { "Summer" }), "a fractional value among integers");
    }

    [Test]
    public async Task S15_subscribers_by_a_list_of_org_keys()
    {
        var result = await QueryAsync($"SELECT OrgKey, OrgName, OrgType, OrgStatus, InstanceName FROM PackageSubscriber WHERE OrgKey IN ('{Org1}','{Org4}','00D000000000zzz')");
        Assert.That(Column(result, "OrgKey"), Is.EquivalentTo(new[] { Org1, Org4 }));
    }

    [Test]
    public async Task S16_sf_CLI_list_with_each_optional_filter()
    {
        const string select = "SELECT Id, PackageVersionId, PackageVersion.Name, PackageVersion.MajorVersion, PackageVersion.MinorVersion, Status, ScheduledStartTime, StartTime, EndTime, IsMigration FROM PackagePushRequest";
        var all = await QueryAsync($"{select} WHERE PackageVersion.MetadataPackageId = '{_package}'");
        Assert.That(Column(all, "Id"), Is.EquivalentTo(new[] { _finished, _pending, _migration }));
        var nested = Records(all).Single(r => r.Text("Id") == _finished).GetProperty("PackageVersion");
        Assert.That((nested.Text("Name"), nested.GetProperty("MajorVersion").GetInt32(), nested.GetProperty("MinorVersion").GetInt32()), Is.EqualTo(("Winter", 1, 2)));
        Assert.That(Keys(Records(all)[0]), Is.EqualTo(new[] { "attributes", "Id", "PackageVersionId", "PackageVersion", "Status", "ScheduledStartTime", "StartTime", "EndTime", "IsMigration" }));

        Assert.That(Column(await QueryAsync($"{select} WHERE PackageVersion.MetadataPackageId = '{_package}' AND Status = 'Pending'"), "Id"), Is.EqualTo(new[] { _pending }));
        Assert.That(Column(await QueryAsync($"{select} WHERE PackageVersion.MetadataPackageId = '{_package}' AND ScheduledStartTime >= 2025-06-01T10:20:30.123Z"), "Id"), Is.EqualTo(new[] { _finished }));
        Assert.That(Column(await QueryAsync($"{select} WHERE PackageVersion.MetadataPackageId = '{_package}' AND IsMigration = true"), "Id"), Is.EqualTo(new[] { _migration }));
        Assert.That(Column(await QueryAsync($"{select} WHERE PackageVersion.MetadataPackageId = '{_package}' AND Status = 'Pending' AND ScheduledStartTime >= 2025-06-01T10:20:30.123Z AND IsMigration = true"), "Id"), Is.Empty);
        Assert.That((await QueryAsync($"{select} WHERE PackageVersion.MetadataPackageId = '{_package}' AND Status = 'Cancelled'")).GetProperty("totalSize").GetInt32(), Is.Zero, "the CLI's spelling matches nothing and is no error");
    }

    [Test]
    public async Task S17_sf_CLI_report_with_a_two_level_parent_path()
    {
        var result = await QueryAsync($"SELECT PackageVersion.MetadataPackage.Name, PackageVersion.MajorVersion, PackageVersion.MinorVersion, PackageVersion.MetadataPackage.NamespacePrefix, PackageVersion.MetadataPackageId, PackageVersionId, PackageVersion.Name, Id, Status, ScheduledStartTime, StartTime, EndTime, DurationSeconds FROM PackagePushRequest WHERE Id = '{_finished}'");
        var record = Records(result).Single();
        var version = record.GetProperty("PackageVersion");
        Assert.That(Keys(version), Is.EqualTo(new[] { "attributes", "MetadataPackage", "MajorVersion", "MinorVersion", "MetadataPackageId", "Name" }));
        Assert.That((version.GetProperty("MetadataPackage").Text("Name"), version.GetProperty("MetadataPackage").Text("NamespacePrefix")), Is.EqualTo(("Acme CRM", "acme")));
        Assert.That(record.GetProperty("DurationSeconds").GetInt32(), Is.EqualTo(60));
        Assert.That(record.Text("StartTime"), Is.EqualTo("2025-06-15T10:00:01.000+0000"));
    }

    [Test]
    public async Task S18_job_counts_with_mixed_case_Count_and_a_trailing_space()
    {
        async Task<int> Count(string soql) => Records(await QueryAsync(soql)).Single().GetProperty("expr0").GetInt32();
        Assert.That(await Count($"SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{_finished}' "), Is.EqualTo(3));
        Assert.That(await Count($"SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{_finished}' AND Status = 'Failed' "), Is.EqualTo(2));
        Assert.That(await Count($"SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{_finished}' AND Status = 'Succeeded' "), Is.EqualTo(1));
        var aggregate = Records(await QueryAsync($"SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{_finished}' ")).Single();
        Assert.That(aggregate.GetProperty("attributes").Text("type"), Is.EqualTo("AggregateResult"));
    }

    [Test]
    public async Task S19_errors_of_a_request_through_the_job_relationship()
    {
        var result = await QueryAsync($"SELECT ErrorMessage, ErrorDetails, ErrorTitle, ErrorSeverity, ErrorType from PackagePushError WHERE PackagePushJob.PackagePushRequestId = '{_finished}' ");
        Assert.That(result.GetProperty("totalSize").GetInt32(), Is.EqualTo(3));
        Assert.That(Keys(Records(result)[0]), Is.EqualTo(new[] { "attributes", "ErrorMessage", "ErrorDetails", "ErrorTitle", "ErrorSeverity", "ErrorType" }));
    }

    [Test]
    public async Task S20_abort_check_by_id()
    {
        Assert.That(Records(await QueryAsync($"SELECT Id, Status FROM PackagePushRequest WHERE Id = '{_pending}'")).Single().Text("Status"), Is.EqualTo("Pending"));
        Assert.That((await QueryAsync("SELECT Id, Status FROM PackagePushRequest WHERE Id = '0DV000000000zzz'")).GetProperty("totalSize").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task S21_report_hint_without_spaces_around_the_operator() =>
        Assert.That((await QueryAsync($"SELECT ErrorMessage FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId='{_finished}'")).GetProperty("totalSize").GetInt32(), Is.EqualTo(3));

    [Test]
    public async Task S22_tooling_style_version_queries()
    {
        var all = await QueryAsync("SELECT Id,MetadataPackageId,Name,ReleaseState,MajorVersion,MinorVersion,PatchVersion,BuildNumber FROM MetadataPackageVersion  ORDER BY MetadataPackageId, MajorVersion, MinorVersion, PatchVersion, BuildNumber");
        Assert.That(Column(all, "Id"), Is.EqualTo(new[] { _v10, _v11, _v12, _v123, _v13Beta }));
        var filtered = await QueryAsync($"SELECT Id,MetadataPackageId,Name,ReleaseState,MajorVersion,MinorVersion,PatchVersion,BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}' ORDER BY MetadataPackageId, MajorVersion, MinorVersion, PatchVersion, BuildNumber");
        Assert.That(filtered.GetProperty("totalSize").GetInt32(), Is.EqualTo(5));
        var one = await QueryAsync($"SELECT Id, MetadataPackageId, Name, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE id = '{_v11}'");
        Assert.That(Column(one, "Name"), Is.EqualTo(new[] { "Summer" }));
    }

    [Test]
    public async Task S23_the_sf_CLI_Dev_Hub_probe_and_organization_query()
    {
        var scratch = await QueryAsync("SELECT Id FROM ScratchOrgInfo limit 1", "51.0");
        Assert.That((scratch.GetProperty("totalSize").GetInt32(), scratch.GetProperty("done").GetBoolean()), Is.EqualTo((0, true)));
        var org = Records(await QueryAsync("SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization", "51.0")).Single();
        Assert.That((org.Text("Name"), org.GetProperty("IsSandbox").GetBoolean()), Is.EqualTo(("PushApi", false)));
        Assert.That(org.GetProperty("attributes").Text("url"), Does.Match("/sobjects/Organization/00D[A-Za-z0-9]{15}$"));
    }

    [Test]
    public async Task S24_packages_with_a_namespace_using_not_equal_empty_string()
    {
        var result = await QueryAsync("SELECT Name, NamespacePrefix FROM MetadataPackage WHERE NamespacePrefix <> ''");
        Assert.That(Column(result, "Name"), Is.EqualTo(new[] { "Acme CRM" }));
        Assert.That(Column(await QueryAsync("SELECT Name FROM MetadataPackage WHERE NamespacePrefix = ''"), "Name"), Is.EqualTo(new[] { "Unmanaged Tools" }), "'' equals null");
    }

    [Test]
    public async Task S25_versions_of_a_package() =>
        Assert.That((await QueryAsync($"SELECT Id, Name, ReleaseState, MajorVersion, MinorVersion, PatchVersion FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}'")).GetProperty("totalSize").GetInt32(), Is.EqualTo(5));

    [Test]
    public async Task S26_subscribers_of_a_version_and_installed_subscribers()
    {
        Assert.That(Column(await QueryAsync($"SELECT Id, OrgKey, OrgStatus, OrgName, OrgType FROM PackageSubscriber WHERE MetadataPackageVersionId = '{_v10}'"), "OrgKey"), Is.EquivalentTo(new[] { Org1, Org2, Org4, Org6 }));
        Assert.That(Column(await QueryAsync("SELECT Id, OrgKey, OrgStatus, OrgName, OrgType FROM PackageSubscriber WHERE InstalledStatus = 'i'"), "OrgKey"), Is.EquivalentTo(new[] { Org1, Org2, Org3, Org4, Org5 }));
    }

    [Test]
    public async Task S27_mixed_case_keywords() =>
        Assert.That((await QueryAsync($"Select ErrorMessage, ErrorDetails, ErrorTitle, ErrorSeverity, ErrorType from PackagePushError where PackagePushJobId = '{_jobs[Org3]}'")).GetProperty("totalSize").GetInt32(), Is.EqualTo(1));

    [Test]
    public async Task S28_job_poll_without_a_space_after_the_operator()
    {
        var result = await QueryAsync($"SELECT Id, Status FROM PackagePushJob WHERE PackagePushRequestId ='{_pending}'");
        Assert.That(Column(result, "Status"), Is.EqualTo(new[] { "Pending" }), "scheduling moved the job from Created to Pending with its request");
    }

    [Test]
    public async Task S29_created_requests() =>
        Assert.That(Column(await QueryAsync("SELECT Id,PackageVersionId,Status,ScheduledStartTime FROM PackagePushRequest WHERE Status = 'Created'"), "Id"), Is.EqualTo(new[] { _migration }));

    [Test]
    public async Task S30_subscribers_as_a_child_subquery_of_versions()
    {
        var result = await QueryAsync($"SELECT Id, Name, (SELECT OrgKey, InstalledStatus, InstanceName, ParentOrg FROM PackageSubscribers) FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}' ORDER BY MajorVersion, MinorVersion, PatchVersion");
        var byVersion = Records(result).ToDictionary(r => r.Text("Id"), r => r.GetProperty("PackageSubscribers"));
        Assert.That(byVersion[_v10].GetProperty("records").EnumerateArray().Select(r => r.Text("OrgKey")), Is.EquivalentTo(new[] { Org1, Org2, Org4, Org6 }));
        Assert.That(byVersion[_v12].GetProperty("totalSize").GetInt32(), Is.EqualTo(1));
        Assert.That(byVersion[_v123].ValueKind, Is.EqualTo(JsonValueKind.Null));
    }
}
