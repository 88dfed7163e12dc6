using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

public class RestRecordTests() : ApiFixture("restrecords", runPushes: false)
{
    private const string Data = "/services/data/v62.0";
    private string _released = null!;
    private string _beta = null!;
    private string _deprecated = null!;
    private string _installedOrg = null!;

    protected override async Task OnStartedAsync()
    {
        var package = (await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Records", namespacePrefix = "rec" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        async Task<string> Version(int minor, string state) => (await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = $"1.{minor}", majorVersion = 1, minorVersion = minor, releaseState = state })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
        var old = await Version(0, "Released");
        _released = await Version(1, "Released");
        _beta = await Version(2, "Beta");
        _deprecated = await Version(3, "Released");
        await Admin.PatchAsJsonAsync($"/api/v1/versions/{_deprecated}", new { isDeprecated = true }).ExpectAsync(HttpStatusCode.OK);
        _installedOrg = (await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Installed", orgType = "Production", orgStatus = "Active", packageVersionId = old })
            .ExpectAsync(HttpStatusCode.Created)).Text("orgKey");
    }

    private StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Test]
    public async Task The_version_list_is_two_digit_versions_and_each_answers_with_its_resources()
    {
        using var anonymous = Server.Anonymous();
        var versions = await anonymous.GetAsync("/services/data").ExpectAsync(HttpStatusCode.OK);
        var numbers = versions.EnumerateArray().Select(v => v.Text("version")).ToList();
        Assert.That(numbers, Does.Contain("36.0").And.Contain("66.0"));
        Assert.That(numbers, Has.All.Match(@"^[1-9]\d\.0$"), "the sf CLI discards any other shape");
        Assert.That(versions.EnumerateArray().Single(v => v.Text("version") == "62.0").Text("label"), Is.EqualTo("Winter '25"));
        Assert.That(versions.EnumerateArray().Single(v => v.Text("version") == "62.0").Text("url"), Is.EqualTo("/services/data/v62.0"));

        var resources = await Admin.GetAsync("/services/data/v38.0/").ExpectAsync(HttpStatusCode.OK);
        Assert.That(resources.Text("sobjects"), Is.EqualTo("/services/data/v38.0/sobjects"));
        var unknown = await Admin.GetAsync("/services/data/v99.0/sobjects").ExpectAsync(HttpStatusCode.NotFound);
        Assert.That(unknown[0].Text("errorCode"), Is.EqualTo("NOT_FOUND"));
        await Admin.GetAsync("/services/data/v62.5/sobjects").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Describe_comes_from_the_catalog()
    {
        var global = await Admin.GetAsync($"{Data}/sobjects").ExpectAsync(HttpStatusCode.OK);
        Assert.That(global.GetProperty("sobjects").EnumerateArray().Select(o => o.Text("name")), Is.SupersetOf(new[] { "PackagePushRequest", "PackagePushJob", "PackageSubscriber" }));
        var info = await Admin.GetAsync($"{Data}/sobjects/packagepushjob/").ExpectAsync(HttpStatusCode.OK);
        Assert.That(info.GetProperty("objectDescribe").Text("keyPrefix"), Is.EqualTo("0DX"));
        Assert.That(info.GetProperty("recentItems").GetArrayLength(), Is.Zero);

        var describe = await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/describe").ExpectAsync(HttpStatusCode.OK);
        Assert.That((describe.Text("name"), describe.Text("keyPrefix"), describe.GetProperty("createable").GetBoolean(), describe.GetProperty("deletable").GetBoolean()),
            Is.EqualTo(("PackagePushRequest", "0DV", true, false)));
        var status = describe.GetProperty("fields").EnumerateArray().Single(f => f.Text("name") == "Status");
        Assert.That(status.Text("type"), Is.EqualTo("picklist"));
        Assert.That(status.GetProperty("picklistValues").EnumerateArray().Select(v => v.Text("value")), Does.Contain("In Progress"));
        Assert.That(status.Text("defaultValue"), Is.EqualTo("Created"));
        var version = describe.GetProperty("fields").EnumerateArray().Single(f => f.Text("name") == "PackageVersionId");
        Assert.That((version.Text("type"), version.GetProperty("referenceTo")[0].GetString(), version.Text("relationshipName"), version.Text("soapType")),
            Is.EqualTo(("reference", "MetadataPackageVersion", "PackageVersion", "tns:ID")));
        Assert.That(describe.GetProperty("childRelationships")[0].Text("relationshipName"), Is.EqualTo("PackagePushJobs"));

        await Admin.GetAsync($"{Data}/sobjects/Account/describe").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_request_is_created_read_updated_and_its_fields_come_back_in_Salesforce_shapes()
    {
        var created = await Admin.PostAsync($"{Data}/sobjects/packagepushrequest/", Json($$"""{"packageversionid": "{{_released}}", "ScheduledStartTime": "2030-01-01T06:05:00+00:00"}"""))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That((created.GetProperty("success").GetBoolean(), created.GetProperty("errors").GetArrayLength()), Is.EqualTo((true, 0)));
        var id = created.Text("id");
        Assert.That(id, Does.Match("^0DV[A-Za-z0-9]{15}$"));

        var record = await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(record.GetProperty("attributes").Text("url"), Is.EqualTo($"{Data}/sobjects/PackagePushRequest/{id}"));
        Assert.That((record.Text("Status"), record.Text("ScheduledStartTime"), record.GetProperty("IsMigration").GetBoolean()), Is.EqualTo(("Created", "2030-01-01T06:05:00.000+0000", false)));
        Assert.That(record.Text("SystemModstamp"), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$"));

        var some = await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/{id[..15]}?fields=Status,packageversionid").ExpectAsync(HttpStatusCode.OK);
        Assert.That(some.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "attributes", "Status", "PackageVersionId" }));

        using var update = await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"ScheduledStartTime": "2031-02-03T04:05:06.789Z"}"""));
        Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var updated = await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(updated.Text("ScheduledStartTime"), Is.EqualTo("2031-02-03T04:05:06.789+0000"));

        // No offset is read as UTC (the sf CLI passes the user's --start-time verbatim).
        await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"ScheduledStartTime": "2024-12-06T21:00:00"}""")).ExpectAsync(HttpStatusCode.NoContent);
        Assert.That((await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/{id}").ExpectAsync(HttpStatusCode.OK)).Text("ScheduledStartTime"), Is.EqualTo("2024-12-06T21:00:00.000+0000"));
    }

    [Test]
    public async Task Bad_writes_get_the_Salesforce_error_for_each_problem()
    {
        async Task<JsonElement> Refused(string json) => await Admin.PostAsync($"{Data}/sobjects/PackagePushRequest", Json(json)).ExpectAsync(HttpStatusCode.BadRequest);

        var missing = await Refused("{}");
        Assert.That((missing[0].Text("errorCode"), missing[0].GetProperty("fields")[0].GetString()), Is.EqualTo(("REQUIRED_FIELD_MISSING", "PackageVersionId")));
        Assert.That((await Refused($$"""{"PackageVersionId": "{{_beta}}"}"""))[0].Text("errorCode"), Is.EqualTo("FIELD_INTEGRITY_EXCEPTION"));
        Assert.That((await Refused($$"""{"PackageVersionId": "{{_deprecated}}"}"""))[0].Text("message"), Does.Contain("deprecated"));
        Assert.That((await Refused("""{"PackageVersionId": "04t0000000zzzzz"}"""))[0].Text("errorCode"), Is.EqualTo("INVALID_CROSS_REFERENCE_KEY"));
        Assert.That((await Refused("""{"PackageVersionId": "not-an-id"}"""))[0].Text("errorCode"), Is.EqualTo("MALFORMED_ID"));
        var unknown = await Refused($$"""{"PackageVersionId": "{{_released}}", "Colour": "blue"}""");
        Assert.That((unknown[0].Text("errorCode"), unknown[0].Text("message")), Is.EqualTo(("INVALID_FIELD", "No such column 'Colour' on sobject of type PackagePushRequest")));
        var serverOwned = await Refused($$"""{"PackageVersionId": "{{_released}}", "StartTime": "2030-01-01T00:00:00Z", "DurationSeconds": 5}""");
        Assert.That(serverOwned[0].Text("errorCode"), Is.EqualTo("INVALID_FIELD_FOR_INSERT_UPDATE"));
        Assert.That(serverOwned[0].GetProperty("fields").EnumerateArray().Select(f => f.GetString()), Is.EquivalentTo(new[] { "StartTime", "DurationSeconds" }));
        Assert.That((await Refused($$"""{"PackageVersionId": "{{_released}}", "Status": "Pending"}"""))[0].Text("errorCode"), Is.EqualTo("FIELD_INTEGRITY_EXCEPTION"));
        Assert.That((await Refused($$"""{"PackageVersionId": "{{_released}}", "Status": "Bogus"}"""))[0].Text("errorCode"), Is.EqualTo("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"));
        Assert.That((await Refused($$"""{"PackageVersionId": "{{_released}}", "ScheduledStartTime": "next tuesday"}"""))[0].Text("errorCode"), Is.EqualTo("JSON_PARSER_ERROR"));
        Assert.That((await Refused("""{"PackageVersionId": """))[0].Text("errorCode"), Is.EqualTo("JSON_PARSER_ERROR"));
        Assert.That((await Refused("""[1, 2]"""))[0].Text("errorCode"), Is.EqualTo("JSON_PARSER_ERROR"));
        Assert.That((await Refused("""{"PackageVersionId": {"nested": true}}"""))[0].Text("errorCode"), Is.EqualTo("JSON_PARSER_ERROR"));
    }

    [Test]
    public async Task Bodies_the_database_could_not_take_are_parser_errors_not_500s()
    {
        var id = (await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest", new { PackageVersionId = _released }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        string[] bodies =
        [
            $$"""{"PackageVersionId": "{{_released}}", "PackageVersionId": "{{_beta}}"}""",
            $$"""{"PackageVersionId": "{{_released}}", "packageversionid": "{{_beta}}"}""",
            $$"""{"PackageVersionId": "{{_released}}", "Foo": 1e308}""",
            """{"PackageVersionId": 1e29}""",
            """{"PackageVersionId": "04t\ud800"}""",
            """{"PackageVersionId": "04t\u0000"}""",
        ];
        foreach (var body in bodies)
        {
            var created = await Admin.PostAsync($"{Data}/sobjects/PackagePushRequest", Json(body)).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(created[0].Text("errorCode"), Is.EqualTo("JSON_PARSER_ERROR"), body);
        }

        var twice = await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"Status": "Canceled", "Status": "Pending"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(twice[0].Text("errorCode"), Is.EqualTo("JSON_PARSER_ERROR"));
        Assert.That((await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/{id}").ExpectAsync(HttpStatusCode.OK)).Text("Status"), Is.EqualTo("Created"), "nothing of a refused body is written");

        // The native API: a NUL in a string and a key sent twice are malformed bodies too.
        await Admin.PatchAsync($"/api/v1/tenants/{_installedOrg}", Json("""{"orgName": "A\u0000B"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        await Admin.PatchAsync($"/api/v1/tenants/{_installedOrg}", Json("""{"orgName": "A", "orgName": "B"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        var bound = await Admin.PostAsync("/api/v1/deployments", Json($$"""{"packageVersionId": "{{_released}}", "targets": {"where": "OrgName = 'A\u0000'"}, "dryRun": true}"""))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(bound.GetRawText(), Does.Not.Contain("System."), "no .NET type in the answer");

        // A huge bad value does not come back whole, and a type the body should have had is said in words.
        var huge = await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = new string('x', 1_000_000), reason = "r" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(huge.GetRawText(), Has.Length.LessThan(3_000));
        var shape = await Admin.PostAsync("/api/v1/deployments", Json($$"""{"packageVersionId": "{{_released}}", "targets": {"orgKeys": "00D000000000001"}, "dryRun": true}""")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(shape.GetRawText(), Does.Not.Contain("System.").And.Not.Contain("PushApi."));
    }

    [Test]
    public async Task A_NUL_in_a_query_string_SOQL_or_a_token_request_is_the_front_ends_400_not_a_500()
    {
        var query = await Admin.GetAsync($"{Data}/query?q=" + Uri.EscapeDataString("SELECT Id FROM PackageSubscriber WHERE OrgName = 'a\u0000b'")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(query[0].Text("errorCode"), Is.EqualTo("MALFORMED_QUERY"));
        var fields = await Admin.GetAsync($"{Data}/sobjects/MetadataPackageVersion/{_released}?fields=Id%00").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That((fields[0].Text("errorCode"), fields[0].Text("message")), Is.EqualTo(("INVALID_FIELD", "The query-string parameter 'fields' holds a NUL character (%00), which no value can hold.")));
        var native = await Admin.GetAsync("/api/v1/tenants?after=%00").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(native.Text("detail"), Does.Contain("'after'").And.Contain("NUL"));

        // Bulk API 1.0: the batch fails with the reason, as any statement that cannot run.
        var bulk = new BulkV1Client(Server.CreateClient(), await Server.GetTokenAsync(), "62.0");
        var job = await bulk.SendAsync(HttpMethod.Post, "/job", BulkV1Client.JobInfo(("operation", "query"), ("object", "PackageSubscriber"), ("contentType", "CSV")), "application/xml; charset=UTF-8", HttpStatusCode.Created);
        var jobId = job.Element(BulkV1Client.Ns + "id")!.Value;
        var batch = await bulk.SendAsync(HttpMethod.Post, $"/job/{jobId}/batch", "SELECT Id FROM PackageSubscriber WHERE OrgName = 'a\u0000'", "text/csv; charset=UTF-8", HttpStatusCode.Created);
        Assert.That(batch.Element(BulkV1Client.Ns + "state")!.Value, Is.EqualTo("Failed"));
        Assert.That(batch.Element(BulkV1Client.Ns + "stateMessage")!.Value, Does.Contain("MALFORMED_QUERY").And.Contain("NUL"));

        // The token endpoint answers every malformed request with OAuth's invalid_request.
        using var anonymous = Server.Anonymous();
        foreach (var content in new HttpContent[]
        {
            new StringContent("grant_type=password&username=%00&password=x", Encoding.UTF8, "application/x-www-form-urlencoded"),
            new StringContent("--nope\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword", Encoding.UTF8, "multipart/form-data"),
            new ByteArrayContent(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--x--")) { Headers = { { "Content-Type", "multipart/form-data; boundary=b" } } },
        })
        {
            using (content)
            {
                using var response = await anonymous.PostAsync("/services/oauth2/token", content);
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
                Assert.That(JsonDocument.Parse(body).RootElement.Text("error"), Is.EqualTo("invalid_request"), body);
            }
        }
    }

    [Test]
    public async Task A_huge_bad_value_comes_back_cut_on_the_REST_SOAP_and_Bulk_front_ends()
    {
        var huge = new string('x', 90_000);
        var soql = $"SELECT {huge} FROM PackageSubscriber";
        var rest = await Admin.GetAsync($"{Data}/query?q=" + Uri.EscapeDataString($"SELECT {huge[..6_000]} FROM PackageSubscriber")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(rest[0].Text("message"), Has.Length.LessThanOrEqualTo(ClientTextLimit));

        var soap = new SoapClient(Server.CreateClient());
        await soap.LoginAsync();
        var (_, message, detail) = await soap.FaultAsync("query", $"<queryString>{soql}</queryString>");
        Assert.That(message, Has.Length.LessThanOrEqualTo(ClientTextLimit + 40));
        Assert.That(detail!.ToString(), Has.Length.LessThan(6_000));

        var bulk = new BulkV1Client(Server.CreateClient(), await Server.GetTokenAsync(), "62.0");
        var job = await bulk.SendAsync(HttpMethod.Post, "/job", BulkV1Client.JobInfo(("operation", "query"), ("object", "PackageSubscriber"), ("contentType", "CSV")), "application/xml; charset=UTF-8", HttpStatusCode.Created);
        using var request = bulk.Request(HttpMethod.Get, $"/job/{job.Element(BulkV1Client.Ns + "id")!.Value}/batch/751{huge[..15]}");
        using var response = await Server.CreateClient().SendAsync(request);
        Assert.That((int)response.StatusCode, Is.InRange(400, 499));
        Assert.That(await response.Content.ReadAsStringAsync(), Has.Length.LessThan(3_000));
    }

    private const int ClientTextLimit = 2_001;

    [Test]
    public async Task A_user_who_is_not_an_admin_reads_only_their_own_User_row()
    {
        using var reader = await Server.CreateUserAndLoginAsync("Read");
        var everyone = await Admin.GetAsync($"{Data}/query?q=" + Uri.EscapeDataString("SELECT Username, Email FROM User")).ExpectAsync(HttpStatusCode.OK);
        Assert.That(everyone.GetProperty("totalSize").GetInt32(), Is.GreaterThanOrEqualTo(2), "an admin reads every user");
        var own = await reader.GetAsync($"{Data}/query?q=" + Uri.EscapeDataString("SELECT Id, Username, Email FROM User")).ExpectAsync(HttpStatusCode.OK);
        Assert.That(own.GetProperty("totalSize").GetInt32(), Is.EqualTo(1));
        Assert.That(own.GetProperty("records")[0].Text("Username"), Is.Not.EqualTo(PushApiServer.AdminUsername));
        var adminId = everyone.GetProperty("records").EnumerateArray().First(r => r.Text("Username") == PushApiServer.AdminUsername).GetProperty("attributes").Text("url").Split('/')[^1];
        await reader.GetAsync($"{Data}/sobjects/User/{adminId}").ExpectAsync(HttpStatusCode.NotFound);
        var counted = await reader.GetAsync($"{Data}/query?q=" + Uri.EscapeDataString("SELECT COUNT() FROM User")).ExpectAsync(HttpStatusCode.OK);
        Assert.That(counted.GetProperty("totalSize").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task Only_schedule_and_abort_are_client_status_changes()
    {
        var id = (await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest", new { PackageVersionId = _released }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var illegal = await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"Status": "Succeeded"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That((illegal[0].Text("errorCode"), illegal[0].GetProperty("fields")[0].GetString()), Is.EqualTo(("INVALID_OPERATION", "Status")));

        await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"Status": "Pending"}""")).ExpectAsync(HttpStatusCode.NoContent);
        await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"Status": "Pending"}""")).ExpectAsync(HttpStatusCode.NoContent);
        var late = await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"ScheduledStartTime": "2035-01-01T00:00:00Z"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(late[0].Text("message"), Does.Contain("only be changed while the push request's status is 'Created'"));

        // Once the push runs (the engine's doing), an abort is refused.
        await using (var connection = new NpgsqlConnection(Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE push_requests SET status = 'In Progress' WHERE id = $1", connection);
            Core.Ids.SalesforceId.TryParseNumber(id, "0DV", out var number);
            command.Parameters.Add(new NpgsqlParameter { Value = number });
            await command.ExecuteNonQueryAsync();
        }

        var abort = await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"Status": "Canceled"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(abort[0].Text("message"), Is.EqualTo($"Can't abort push request {id} with status 'In Progress'. Only push requests with status 'Created' or 'Pending' can be canceled."));
    }

    [Test]
    public async Task Aborting_cancels_every_job_and_counts_them()
    {
        var id = (await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest", new { PackageVersionId = _released }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var job = await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushJob", new { PackagePushRequestId = id, SubscriberOrganizationKey = _installedOrg }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"Status": "Canceled"}""")).ExpectAsync(HttpStatusCode.NoContent);
        var jobRecord = await Admin.GetAsync($"{Data}/sobjects/PackagePushJob/{job.Text("id")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(jobRecord.Text("Status"), Is.EqualTo("Canceled"));
        var request = await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(request.Text("Status"), Is.EqualTo("Canceled"));
        Assert.That(request.GetProperty("EndTime").ValueKind, Is.EqualTo(JsonValueKind.String));

        var again = await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/{id}", Json("""{"Status": "Canceled"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(again[0].Text("errorCode"), Is.EqualTo("INVALID_OPERATION"));

        var late = await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushJob", new { PackagePushRequestId = id, SubscriberOrganizationKey = _installedOrg }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(late[0].Text("errorCode"), Is.AnyOf("INVALID_OPERATION", "DUPLICATE_VALUE"));
    }

    [Test]
    public async Task Jobs_refuse_status_changes_and_ineligible_orgs()
    {
        var id = (await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest", new { PackageVersionId = _released }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var job = (await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushJob", new { PackagePushRequestId = id, SubscriberOrganizationKey = _installedOrg }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var status = await Admin.PatchAsync($"{Data}/sobjects/PackagePushJob/{job}", Json("""{"Status": "Succeeded"}""")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That((status[0].Text("errorCode"), status[0].GetProperty("fields")[0].GetString()), Is.EqualTo(("INVALID_FIELD_FOR_INSERT_UPDATE", "Status")));

        var duplicate = await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushJob", new { PackagePushRequestId = id, SubscriberOrganizationKey = _installedOrg + Core.Ids.SalesforceId.Checksum(_installedOrg) })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(duplicate[0].Text("errorCode"), Is.EqualTo("DUPLICATE_VALUE"), "the 18-character form of the same org is the same org");
        var unknown = await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushJob", new { PackagePushRequestId = id, SubscriberOrganizationKey = "00D000000000zzz" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(unknown[0].Text("errorCode"), Is.EqualTo("INVALID_OPERATION"));
        var noRequest = await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushJob", new { PackagePushRequestId = "0DV0000000zzzzz", SubscriberOrganizationKey = _installedOrg }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(noRequest[0].Text("errorCode"), Is.EqualTo("INVALID_CROSS_REFERENCE_KEY"));
    }

    [Test]
    public async Task Unknown_records_and_objects_are_404_and_nothing_is_deletable()
    {
        await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/0DV0000000zzzzz").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/garbage").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.PatchAsync($"{Data}/sobjects/PackagePushRequest/0DV0000000zzzzz", Json("""{"Status": "Canceled"}""")).ExpectAsync(HttpStatusCode.NotFound);
        await Admin.PostAsync($"{Data}/sobjects/Widget", Json("{}")).ExpectAsync(HttpStatusCode.NotFound);
        var delete = await Admin.DeleteAsync($"{Data}/sobjects/PackagePushRequest/0DV000000000001").ExpectAsync(HttpStatusCode.MethodNotAllowed);
        Assert.That(delete[0].Text("errorCode"), Is.EqualTo("METHOD_NOT_ALLOWED"));
        var readOnly = await Admin.PostAsync($"{Data}/sobjects/MetadataPackage", Json("""{"Name": "x"}""")).ExpectAsync(HttpStatusCode.MethodNotAllowed);
        Assert.That(readOnly[0].Text("errorCode"), Is.EqualTo("METHOD_NOT_ALLOWED"));
        await Admin.PatchAsync($"{Data}/sobjects/PackagePushError/0DY000000000001", Json("{}")).ExpectAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Test]
    public async Task A_Read_user_can_query_but_not_write()
    {
        using var reader = await Server.CreateUserAndLoginAsync("Read");
        await reader.GetAsync($"{Data}/query?q=SELECT+Id+FROM+PackagePushRequest").ExpectAsync(HttpStatusCode.OK);
        var refused = await reader.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest", new { PackageVersionId = _released }).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.That(refused[0].Text("errorCode"), Is.EqualTo("INSUFFICIENT_ACCESS"));
        await reader.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", new { records = Array.Empty<object>() }).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Headers_clients_add_are_tolerated()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Data}/query/?q=SELECT+Id+FROM+MetadataPackage")
        {
            Content = new StringContent("", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-PrettyPrint", "1");
        request.Headers.Add("Sforce-Call-Options", "client=CumulusCI/3.84.0");
        request.Headers.Add("Accept-Encoding", "gzip");
        using var response = await Admin.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Does.StartWith("application/json"));
    }

    [Test]
    public async Task A_gzip_compressed_body_is_accepted()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes($$"""{"PackageVersionId":"{{_released}}"}"""));
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        var created = await Admin.PostAsync($"{Data}/sobjects/PackagePushRequest", content).ExpectAsync(HttpStatusCode.Created);
        Assert.That(created.Text("id"), Does.StartWith("0DV"));
    }

    [Test]
    public async Task A_body_that_does_not_decompress_is_a_bad_request_on_every_front_end()
    {
        HttpContent NotGzip(string mediaType)
        {
            var content = new ByteArrayContent([.. Enumerable.Range(0, 64).Select(i => (byte)(i * 37))]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
            content.Headers.ContentEncoding.Add("gzip");
            return content;
        }

        var rest = await Admin.PostAsync($"{Data}/sobjects/PackagePushRequest", NotGzip("application/json")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That((rest[0].Text("errorCode"), rest[0].Text("message")), Is.EqualTo(("JSON_PARSER_ERROR", "The request body is not valid gzip (Content-Encoding); nothing was read.")));
        var native = await Admin.PostAsync("/api/v1/exclusions", NotGzip("application/json")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(native.Text("detail"), Does.Contain("not valid gzip"));
        using var soap = await Admin.PostAsync("/services/Soap/c/62.0", NotGzip("text/xml"));
        var fault = await soap.Content.ReadAsStringAsync();
        Assert.That((soap.StatusCode, fault), Is.EqualTo((HttpStatusCode.InternalServerError, fault)));
        Assert.That(fault, Does.Contain("soapenv:Client").And.Contain("not valid gzip"));
    }
}
