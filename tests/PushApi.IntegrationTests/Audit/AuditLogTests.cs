using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Audit;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Audit;

/// <summary>
/// The audit log on the real server: a scenario through every front end leaves one entry per state
/// change with user, address, action and status; only admins read it, in keyset pages; the table
/// refuses UPDATE, DELETE and TRUNCATE; the retention purge removes what is older than the retention.
/// </summary>
[NonParallelizable]
public class AuditLogTests() : ApiFixture("audit", runPushes: false, settings: new Dictionary<string, string?> { ["PushApi:Features:MassDeployment"] = "true" })
{
    [Test]
    public async Task Every_state_change_of_a_scenario_has_an_entry_with_user_address_action_and_status()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await push.TenantsAsync(2);
        var tenant = (await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Audited", orgType = "Production", orgStatus = "Active" }).ExpectAsync(HttpStatusCode.Created)).Text("orgKey");
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, [orgs[0]]);
        var bulk = (await Admin.PostAsJsonAsync("/services/data/v62.0/jobs/ingest", new { @object = "PackagePushJob", operation = "insert" }).ExpectAsync(HttpStatusCode.OK)).Text("id");
        using (var upload = await Admin.PutAsync($"/services/data/v62.0/jobs/ingest/{bulk}/batches", new StringContent($"PackagePushRequestId,SubscriberOrganizationKey\n{request},{tenant}\n", System.Text.Encoding.UTF8, "text/csv")))
        {
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        await Admin.PatchAsJsonAsync($"/services/data/v62.0/jobs/ingest/{bulk}", new { state = "UploadComplete" }).ExpectAsync(HttpStatusCode.OK);

        var soap = new SoapClient(Server.Anonymous());
        await soap.LoginAsync();
        var later = TimeProvider.System.GetUtcNow().AddDays(2).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        await soap.OkAsync("update", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:Id>{request}</ens:Id><ens:ScheduledStartTime>{later}</ens:ScheduledStartTime></sObjects>""");
        await soap.OkAsync("query", "<queryString>SELECT Id FROM PackagePushRequest</queryString>");

        var deployment = (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { orgKeys = new[] { orgs[1] } } })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
        await Admin.PatchAsJsonAsync("/api/v1/settings", new { installFromFileEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        using (var anonymous = Server.Anonymous())
        {
            using var refused = await anonymous.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = "intruder@test.local",
                ["password"] = "wrong",
            }));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using var admin = await Server.LoginAsync();

        var expected = new (string Action, int Status, string? Target)[]
        {
            ("POST /api/v1/packages", 201, push.PackageId),
            ($"POST /api/v1/packages/{{packageId}}/versions", 201, push.NewVersion),
            ("POST /api/v1/tenants/import", 200, null),
            ("POST /api/v1/tenants", 201, tenant),
            ("POST /services/data/{version}/sobjects/{type}", 201, request), // the created id, from the Location header
            ("POST /services/data/{version}/composite/tree/{type}", 201, "PackagePushJob"),
            ("POST /services/data/{version}/jobs/ingest", 200, null),
            ("PUT /services/data/{version}/jobs/ingest/{jobId}/batches", 201, bulk),
            ("PATCH /services/data/{version}/jobs/ingest/{jobId}", 200, bulk),
            ("soap.update", 200, null),
            ("POST /api/v1/deployments", 201, deployment),
            ("PATCH /api/v1/settings", 200, null),
        };
        var entries = await WaitForEntriesAsync(e => e.Any(x => x.Text("action") == "login.failed" && x.GetProperty("username").GetString() == "intruder@test.local"));
        foreach (var (action, status, target) in expected)
        {
            var entry = entries.FirstOrDefault(e => e.Text("action") == action && (target is null || e.GetProperty("target").GetString() == target));
            Assert.That(entry.ValueKind, Is.EqualTo(JsonValueKind.Object), $"{action} {target} is recorded; recorded: {string.Join(", ", entries.Select(e => e.Text("action") + " " + e.GetProperty("target")))}");
            Assert.That(entry.GetProperty("statusCode").GetInt32(), Is.EqualTo(status), action);
            Assert.That(entry.GetProperty("username").GetString(), Is.EqualTo(PushApiServer.AdminUsername).IgnoreCase, action);
            Assert.That(entry.GetProperty("userId").GetString(), Does.StartWith("005"), action);
            Assert.That(entry.GetProperty("clientAddress").GetString(), Is.Not.Null.And.Not.Empty, action);
            Assert.That(entry.GetProperty("method").GetString(), Is.Not.Null, action);
        }

        Assert.That(entries.First(e => e.Text("action") == "PATCH /api/v1/settings").GetProperty("detail").GetString(), Is.EqualTo("installFromFileEnabled=true"));
        var failed = entries.Single(e => e.Text("action") == "login.failed" && e.GetProperty("username").GetString() == "intruder@test.local");
        Assert.That((failed.GetProperty("userId").ValueKind, failed.GetProperty("statusCode").GetInt32()), Is.EqualTo((JsonValueKind.Null, 400)));
        Assert.That(failed.GetProperty("detail").GetString(), Does.Contain("authentication failure").And.Not.Contain("wrong"));
        Assert.That(entries.Count(e => e.Text("action") == "login.succeeded" && e.GetProperty("detail").GetString() == "OAuth password"), Is.GreaterThanOrEqualTo(2), "the fixture's and this test's OAuth logins");
        var soapLogin = entries.Single(e => e.Text("action") == "login.succeeded" && e.GetProperty("detail").GetString()!.StartsWith("SOAP", StringComparison.Ordinal));
        Assert.That(soapLogin.GetProperty("userId").GetString(), Does.StartWith("005"));
        Assert.That(entries.Select(e => e.Text("action")), Has.None.EqualTo("soap.query"), "a SOAP read changes nothing");
        Assert.That(entries.Select(e => e.GetProperty("method").GetString()), Has.None.EqualTo("GET"), "reads are not recorded");
    }

    [Test]
    public async Task Only_admins_read_the_audit_log_and_a_non_admins_own_changes_are_recorded()
    {
        using var pusher = await Server.CreateUserAndLoginAsync("Read", "PushUpgrade");
        using (var refused = await pusher.GetAsync("/api/v1/audit"))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        using (var anonymous = Server.Anonymous())
        using (var unauthenticated = await anonymous.GetAsync("/api/v1/audit"))
        {
            Assert.That(unauthenticated.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await pusher.PostAsJsonAsync("/api/v1/packages", new { name = "Not mine", namespacePrefix = "nm" }).ExpectAsync(HttpStatusCode.Forbidden);
        var entries = await WaitForEntriesAsync(e => e.Any(x => x.Text("action") == "POST /api/v1/packages" && x.GetProperty("statusCode").GetInt32() == 403));
        var denied = entries.First(x => x.Text("action") == "POST /api/v1/packages" && x.GetProperty("statusCode").GetInt32() == 403);
        Assert.That(denied.GetProperty("username").GetString(), Does.StartWith("user-"));
    }

    [Test]
    public async Task Keyset_pages_cover_every_entry_once_newest_first_and_filters_narrow_them()
    {
        for (var i = 0; i < 5; i++)
        {
            await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = $"Paged {i}", orgType = "Sandbox", orgStatus = "Active" }).ExpectAsync(HttpStatusCode.Created);
        }

        var all = await WaitForEntriesAsync(e => e.Count(x => x.Text("action") == "POST /api/v1/tenants") >= 5);
        var allIds = all.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.That(allIds, Is.Ordered.Descending);

        var paged = new List<long>();
        string? after = null;
        do
        {
            var page = await Admin.GetAsync($"/api/v1/audit?limit=3{(after is null ? "" : "&after=" + after)}").ExpectAsync(HttpStatusCode.OK);
            var records = page.GetProperty("records").EnumerateArray().ToList();
            Assert.That(records, Has.Count.LessThanOrEqualTo(3));
            paged.AddRange(records.Select(r => r.GetProperty("id").GetInt64()));
            after = page.GetProperty("nextAfter").GetString();
        }
        while (after is not null);

        // Entries recorded while paging (the GETs record none) would only be newer than the first page.
        Assert.That(paged.Where(id => id <= allIds[0]), Is.EqualTo(allIds));

        var logins = await Admin.GetAsync("/api/v1/audit?action=login.&limit=1000").ExpectAsync(HttpStatusCode.OK);
        Assert.That(logins.GetProperty("records").EnumerateArray().Select(r => r.Text("action")), Is.Not.Empty.And.All.StartWith("login."));
        var mine = await Admin.GetAsync($"/api/v1/audit?user={Uri.EscapeDataString(PushApiServer.AdminUsername.ToUpperInvariant())}&action=POST%20/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
        Assert.That(mine.GetProperty("records").GetArrayLength(), Is.GreaterThanOrEqualTo(5));
        var future = await Admin.GetAsync("/api/v1/audit?since=2999-01-01T00:00:00Z").ExpectAsync(HttpStatusCode.OK);
        Assert.That((future.GetProperty("records").GetArrayLength(), future.GetProperty("nextAfter").ValueKind), Is.EqualTo((0, JsonValueKind.Null)));
    }

    [Test]
    public async Task A_write_refused_by_the_error_handler_is_recorded_with_the_status_the_client_got()
    {
        using var body = new StringContent("{\"massDeploymentEnabled\": ", System.Text.Encoding.UTF8, "application/json");
        using (var refused = await Admin.PatchAsync("/api/v1/settings", body))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        var entries = await WaitForEntriesAsync(e => e.Any(x => x.Text("action") == "PATCH /api/v1/settings" && x.GetProperty("statusCode").GetInt32() == 400));
        var entry = entries.First(x => x.Text("action") == "PATCH /api/v1/settings" && x.GetProperty("statusCode").GetInt32() == 400);
        Assert.That((entry.GetProperty("username").GetString(), entry.GetProperty("detail").ValueKind), Is.EqualTo((PushApiServer.AdminUsername, JsonValueKind.Null)));
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=1001", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("after=abc", "after")]
    [TestCase("after=-5", "after")]
    [TestCase("since=yesterday", "since")]
    [TestCase("since=2026-12-02&until=2026-12-01", "until")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string field)
    {
        var problem = await Admin.GetAsync("/api/v1/audit?" + query).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task The_table_refuses_UPDATE_DELETE_and_TRUNCATE_made_directly_in_SQL()
    {
        await WaitForEntriesAsync(e => e.Any(x => x.Text("action") == "login.succeeded"));
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        var before = await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_log");
        foreach (var sql in new[] { "UPDATE audit_log SET action = 'nothing happened'", "DELETE FROM audit_log", "TRUNCATE audit_log", "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refusal = Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.That(refusal!.MessageText, Does.Contain("append-only"), sql);
        }

        Assert.That(before, Is.Positive);
        Assert.That(await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_log"), Is.EqualTo(before));
        Assert.That(await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_log WHERE action = 'nothing happened'"), Is.Zero);
    }

    [Test]
    public async Task The_retention_purge_removes_only_entries_older_than_the_retention()
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO audit_log (occurred_at, action) VALUES (now() - interval '400 days', 'test.ancient'), (now() - interval '364 days', 'test.recent')", connection))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var total = await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_log");
        var purged = await Server.Services.GetRequiredService<AuditRetention>().PurgeAsync();

        Assert.That(purged, Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_log WHERE action = 'test.ancient'"), Is.Zero);
        Assert.That(await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_log WHERE action = 'test.recent'"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>(connection, "SELECT count(*) FROM audit_log"), Is.EqualTo(total - 1));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The newest 1000 entries, once they satisfy <paramref name="done"/>: entries are written after the response.</summary>
    private async Task<List<JsonElement>> WaitForEntriesAsync(Func<List<JsonElement>, bool> done)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var page = await Admin.GetAsync("/api/v1/audit?limit=1000").ExpectAsync(HttpStatusCode.OK);
            var entries = page.GetProperty("records").EnumerateArray().ToList();
            if (done(entries) || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                return entries;
            }

            await Task.Delay(50);
        }
    }
}
