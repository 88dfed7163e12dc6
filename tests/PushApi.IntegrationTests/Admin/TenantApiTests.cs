using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

public class TenantApiTests() : ApiFixture("tenants")
{
    private string _versionId = null!;

    protected override async Task OnStartedAsync()
    {
        var package = await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Tenant App", namespacePrefix = "tapp" }).ExpectAsync(HttpStatusCode.Created);
        var version = await Admin.PostAsJsonAsync($"/api/v1/packages/{package.Text("id")}/versions", new { name = "1.0", majorVersion = 1, minorVersion = 0, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created);
        _versionId = version.Text("id");
    }

    [Test]
    public async Task A_tenant_without_an_org_key_gets_a_generated_00D_key()
    {
        using var response = await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Generated", orgType = "sandbox", orgStatus = "trial", instanceName = "CS17" });
        var tenant = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.That(tenant.Text("orgKey"), Does.Match("^00D[A-Za-z0-9]{12}$"));
        Assert.That(tenant.Text("orgType"), Is.EqualTo("Sandbox"), "picklist values come back in their canonical spelling");
        Assert.That(tenant.Text("orgStatus"), Is.EqualTo("Trial"));
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/tenants/{tenant.Text("orgKey")}"));
    }

    [Test]
    public async Task An_org_key_is_taken_once_and_an_18_character_key_is_stored_in_15()
    {
        var key15 = "00D" + Core.Ids.Base62.Random(12);
        var key18 = key15 + Core.Ids.SalesforceId.Checksum(key15);
        var created = await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgKey = key18, orgName = "Eighteen", orgType = "Production", orgStatus = "Active" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That(created.Text("orgKey"), Is.EqualTo(key15));
        var conflict = await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgKey = key15, orgName = "Again", orgType = "Production", orgStatus = "Active" })
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain(key15));
        await Admin.GetAsync($"/api/v1/tenants/{key18}").ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task Bad_tenants_get_field_errors()
    {
        var problem = await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgKey = "001000000000001", orgType = "Scratch", orgStatus = "", agent = new { url = "file:///etc/passwd" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name),
            Is.EquivalentTo(new[] { "orgKey", "orgName", "orgType", "orgStatus", "agent.url", "agent.username", "agent.password" }));
    }

    [Test]
    public async Task A_remote_agent_password_is_stored_encrypted_and_never_returned()
    {
        const string secret = "S3cret-Agent-Passw0rd";
        var key = "00D" + Core.Ids.Base62.Random(12);
        using var response = await Admin.PostAsJsonAsync("/api/v1/tenants", new
        {
            orgKey = key,
            orgName = "Remote",
            orgType = "Production",
            orgStatus = "Active",
            agent = new { url = "https://tenant.example/pushapi-agent", username = "svc-push", password = secret },
        });
        var raw = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), raw);
        Assert.That(raw, Does.Not.Contain(secret));
        var tenant = System.Text.Json.JsonDocument.Parse(raw).RootElement;
        Assert.That(tenant.GetProperty("agent").Text("username"), Is.EqualTo("svc-push"));
        Assert.That(tenant.GetProperty("agent").GetProperty("hasPassword").GetBoolean(), Is.True);

        Assert.That(await Admin.GetStringAsync($"/api/v1/tenants/{key}"), Does.Not.Contain(secret));
        Assert.That(await Admin.GetStringAsync("/api/v1/tenants?limit=2000"), Does.Not.Contain(secret));

        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT agent_password_protected FROM tenants WHERE org_key = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        var stored = (string)(await command.ExecuteScalarAsync())!;
        Assert.That(stored, Is.Not.Empty.And.Not.Contain(secret));
    }

    [Test]
    public async Task A_tenant_is_patched_field_by_field()
    {
        var tenant = await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Before", orgType = "Production", orgStatus = "Active", instanceName = "NA1", agent = new { url = "https://a.example", username = "u", password = "p" } })
            .ExpectAsync(HttpStatusCode.Created);
        var url = $"/api/v1/tenants/{tenant.Text("orgKey")}";

        var renamed = await Admin.PatchAsJsonAsync(url, new { orgName = "After", orgStatus = "inactive" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((renamed.Text("orgName"), renamed.Text("orgStatus"), renamed.Text("instanceName")), Is.EqualTo(("After", "Inactive", "NA1")));

        using var clear = new StringContent("""{"instanceName": null, "agent": null}""", Encoding.UTF8, "application/json");
        var cleared = await Admin.PatchAsync(url, clear).ExpectAsync(HttpStatusCode.OK);
        Assert.That(cleared.GetProperty("instanceName").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(cleared.GetProperty("agent").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));

        var invalid = await Admin.PatchAsJsonAsync(url, new { orgType = "Scratch", colour = "blue" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(invalid.GetProperty("errors").EnumerateObject().Select(p => p.Name), Does.Contain("colour"));
        var emptyName = await Admin.PatchAsJsonAsync(url, new { orgName = "" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(emptyName.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "orgName" }));

        await Admin.PatchAsJsonAsync("/api/v1/tenants/00D000000000zzz", new { orgName = "x" }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Tenants_are_listed_in_pages_by_org_key()
    {
        var rows = Enumerable.Range(0, 25).Select(i => new { orgKey = $"00Dpage{i:D8}", orgName = $"Paged {i}", orgType = "Production", orgStatus = "Active" }).ToArray();
        await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);

        var seen = new List<string>();
        string? after = "00Dpage";
        while (after is not null && after.StartsWith("00Dpage", StringComparison.Ordinal))
        {
            var page = await Admin.GetAsync($"/api/v1/tenants?limit=10&after={after}").ExpectAsync(HttpStatusCode.OK);
            var keys = page.GetProperty("records").EnumerateArray().Select(t => t.Text("orgKey")).Where(k => k.StartsWith("00Dpage", StringComparison.Ordinal)).ToList();
            seen.AddRange(keys);
            after = page.GetProperty("nextAfter").GetString();
        }

        Assert.That(seen, Is.EqualTo(rows.Select(r => r.orgKey)));
    }

    [Test]
    public async Task An_import_reports_every_row_and_writes_the_valid_ones_in_one_go()
    {
        var existing = await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Existing", orgType = "Production", orgStatus = "Active", instanceName = "EU5" })
            .ExpectAsync(HttpStatusCode.Created);
        var rows = new object[]
        {
            new { orgName = "New one", orgType = "Production", orgStatus = "Active", packageVersionId = _versionId },
            new { orgKey = existing.Text("orgKey"), orgName = "Existing renamed", orgType = "Sandbox", orgStatus = "Active" },
            new { orgKey = "bogus", orgName = "Bad key", orgType = "Production", orgStatus = "Active" },
            new { orgName = "Bad version", orgType = "Production", orgStatus = "Active", packageVersionId = "04t0000000zzzzz" },
            new { orgKey = existing.Text("orgKey"), orgName = "Twice", orgType = "Production", orgStatus = "Active" },
        };
        var result = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        Assert.That((result.GetProperty("total").GetInt32(), result.GetProperty("created").GetInt32(), result.GetProperty("updated").GetInt32(), result.GetProperty("failed").GetInt32()),
            Is.EqualTo((5, 1, 1, 3)));
        var outcomes = result.GetProperty("rows").EnumerateArray().Select(r => r.Text("outcome")).ToList();
        Assert.That(outcomes, Is.EqualTo(new[] { "Created", "Updated", "Failed", "Failed", "Failed" }));
        var rowErrors = result.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("errors").EnumerateArray().Select(e => e.Text("field")).FirstOrDefault()).ToList();
        Assert.That(rowErrors, Is.EqualTo(new[] { null, null, "orgKey", "packageVersionId", "orgKey" }));

        var renamed = await Admin.GetAsync($"/api/v1/tenants/{existing.Text("orgKey")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((renamed.Text("orgName"), renamed.Text("orgType"), renamed.Text("instanceName")), Is.EqualTo(("Existing renamed", "Sandbox", "EU5")), "an empty optional column keeps the value");

        var newKey = result.GetProperty("rows")[0].Text("orgKey");
        var installs = await Admin.GetAsync($"/api/v1/tenants/{newKey}/installations").ExpectAsync(HttpStatusCode.OK);
        Assert.That(installs.EnumerateArray().Single().Text("packageVersionId"), Is.EqualTo(_versionId));
    }

    [Test]
    public async Task An_all_or_none_import_with_a_bad_row_writes_nothing()
    {
        var key = "00D" + Core.Ids.Base62.Random(12);
        var rows = new object[]
        {
            new { orgKey = key, orgName = "Would be fine", orgType = "Production", orgStatus = "Active" },
            new { orgName = "No type", orgStatus = "Active" },
        };
        var result = await Admin.PostAsJsonAsync("/api/v1/tenants/import?allOrNone=true", rows).ExpectAsync(HttpStatusCode.OK);
        Assert.That(result.GetProperty("rows").EnumerateArray().Select(r => r.Text("outcome")), Is.EqualTo(new[] { "NotImported", "Failed" }));
        await Admin.GetAsync($"/api/v1/tenants/{key}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_CSV_import_reads_a_header_and_quoted_fields()
    {
        var key = "00D" + Core.Ids.Base62.Random(12);
        var csv = $"OrgKey,orgName,orgType,orgStatus,instanceName,agentUrl,agentUsername,agentPassword,packageVersionId\r\n" +
                  $"{key},\"Quoted, Inc.\",Production,Active,NA9,https://agent.example,svc,\"pa\"\"ss\",{_versionId}\r\n" +
                  $",Second,Sandbox,Demo,,,,,\n";
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        var result = await Admin.PostAsync("/api/v1/tenants/import", content).ExpectAsync(HttpStatusCode.OK);
        Assert.That(result.GetProperty("created").GetInt32(), Is.EqualTo(2), result.ToString());
        var tenant = await Admin.GetAsync($"/api/v1/tenants/{key}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(tenant.Text("orgName"), Is.EqualTo("Quoted, Inc."));
        Assert.That(tenant.GetProperty("agent").Text("url"), Is.EqualTo("https://agent.example"));

        using var unknownColumn = new StringContent("orgName,colour\nA,blue\n", Encoding.UTF8, "text/csv");
        var problem = await Admin.PostAsync("/api/v1/tenants/import", unknownColumn).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").ToString(), Does.Contain("colour"));

        using var xml = new StringContent("<tenants/>", Encoding.UTF8, "application/xml");
        await Admin.PostAsync("/api/v1/tenants/import", xml).ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        using var notAnArray = new StringContent("{\"orgName\":\"x\"}", Encoding.UTF8, "application/json");
        await Admin.PostAsync("/api/v1/tenants/import", notAnArray).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task One_hundred_thousand_tenants_import_in_one_call()
    {
        const int count = 100_000;
        var rows = Enumerable.Range(0, count).Select(i => new
        {
            orgKey = $"00Dbulk{i:D8}",
            orgName = $"Bulk tenant {i}",
            orgType = i % 4 == 0 ? "Sandbox" : "Production",
            orgStatus = "Active",
            instanceName = "NA" + (i % 50),
            packageVersionId = _versionId,
        }).ToList();

        var stopwatch = Stopwatch.StartNew();
        var result = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        stopwatch.Stop();
        TestContext.Out.WriteLine($"Imported {count:N0} tenants with installs in {stopwatch.Elapsed.TotalSeconds:0.00} s ({count / stopwatch.Elapsed.TotalSeconds:N0} rows/s).");
        Assert.That(result.GetProperty("created").GetInt32(), Is.EqualTo(count));

        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM tenants WHERE org_key LIKE '00Dbulk%'), (SELECT count(*) FROM installations WHERE org_key LIKE '00Dbulk%')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.That((reader.GetInt64(0), reader.GetInt64(1)), Is.EqualTo(((long)count, (long)count)));

        var tooMany = Enumerable.Range(0, count + 1).Select(i => new { orgName = "x", orgType = "Production", orgStatus = "Active" });
        await Admin.PostAsJsonAsync("/api/v1/tenants/import", tooMany).ExpectAsync(HttpStatusCode.BadRequest);
    }
}
