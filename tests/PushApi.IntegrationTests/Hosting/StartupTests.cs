using System.Net;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Hosting;

public class StartupTests
{
    [Test]
    public async Task Two_servers_starting_at_once_on_one_empty_database_both_come_up()
    {
        var connectionString = await TestPostgres.CreateEmptyDatabaseAsync("twostart");
        var started = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => PushApiServer.Start(connectionString))));
        try
        {
            foreach (var server in started)
            {
                using var client = server.Anonymous();
                await client.GetAsync("/health/ready").ExpectAsync(HttpStatusCode.OK);
                await (await server.LoginAsync()).GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
            }

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM settings WHERE key = 'organization_id'), (SELECT count(*) FROM schema_migrations)", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.That((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)), Is.EqualTo((1L, 1L, (long)Core.Persistence.MigrationRunner.LatestVersion)));
        }
        finally
        {
            foreach (var server in started)
            {
                server.Dispose();
            }
        }
    }

    [Test]
    public async Task Demo_data_seeds_a_package_with_versions_and_spread_subscribers_and_turns_the_features_on()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("demo", settings: new Dictionary<string, string?>
        {
            ["PushApi:Demo:Subscribers"] = "200",
            ["PushApi:Features:MassDeployment"] = "false",
            ["PushApi:Features:InstallFromFile"] = "false",
        });
        using var admin = await server.LoginAsync();
        var settings = await admin.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
        Assert.That((settings.GetProperty("massDeploymentEnabled").GetBoolean(), settings.GetProperty("installFromFileEnabled").GetBoolean()), Is.EqualTo((true, true)));
        Assert.That((settings.GetProperty("sources").Text("massDeployment"), settings.GetProperty("sources").Text("installFromFile")), Is.EqualTo(("demo", "demo")));
        await admin.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.OK);
        var conflict = await admin.PatchAsJsonAsync("/api/v1/settings", new { massDeploymentEnabled = false }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain("demo mode").And.Contain("PushApi__Demo__Subscribers"));

        var packages = await admin.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        var demo = packages.EnumerateArray().Single();
        Assert.That((demo.Text("name"), demo.Text("namespacePrefix")), Is.EqualTo(("Demo App", "demo")));
        var versions = await admin.GetAsync($"/api/v1/packages/{demo.Text("id")}/versions").ExpectAsync(HttpStatusCode.OK);
        Assert.That(versions.EnumerateArray().Select(v => $"{v.Text("versionNumber")} {v.Text("releaseState")}"), Is.EqualTo(new[] { "1.0 Released", "1.1 Released", "1.2 Released", "1.3 Beta" }));

        // The demo package has real contents, and each version changes a few items.
        var manifests = new List<Dictionary<string, string>>();
        foreach (var version in versions.EnumerateArray())
        {
            var manifest = await admin.GetAsync($"/api/v1/versions/{version.Text("id")}/manifest").ExpectAsync(HttpStatusCode.OK);
            manifests.Add(manifest.GetProperty("items").EnumerateArray().ToDictionary(i => $"{i.Text("type")} {i.Text("name")}", i => i.Text("sha256")));
        }

        Assert.That(manifests[0].Keys, Is.SupersetOf(new[]
        {
            "Application Billing", "Object Invoice", "Object Invoice Line", "Field Invoice.Amount", "Class InvoiceService", "WebTab Invoices",
            "Page Invoice Page", "Role Billing Clerk", "RollupSummaryField Invoice Total",
        }));
        for (var i = 1; i < manifests.Count; i++)
        {
            var changed = manifests[i].Count(item => !manifests[i - 1].TryGetValue(item.Key, out var before) || before != item.Value);
            Assert.That(changed, Is.InRange(1, 3), $"version {i} changes a few items");
        }

        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) AS tenants,
                   count(*) FILTER (WHERE t.org_type = 'Sandbox') AS sandboxes,
                   count(*) FILTER (WHERE t.org_status = 'Inactive') AS inactive,
                   count(*) FILTER (WHERE i.installed_status = 'u') AS uninstalled,
                   count(DISTINCT i.package_version_id) AS versions
            FROM tenants t JOIN installations i ON i.org_key = t.org_key
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.That(reader.GetInt64(0), Is.EqualTo(200));
        Assert.That(reader.GetInt64(1), Is.InRange(1, 199));
        Assert.That(reader.GetInt64(2), Is.InRange(1, 199));
        Assert.That(reader.GetInt64(3), Is.InRange(1, 199));
        Assert.That(reader.GetInt64(4), Is.EqualTo(3), "spread over the three released versions");
    }

    [Test]
    public async Task Health_swagger_and_unknown_paths_answer_in_the_right_shape()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("shapes");
        using var client = server.Anonymous();
        await client.GetAsync("/health/live").ExpectAsync(HttpStatusCode.OK);
        await client.GetAsync("/health/ready").ExpectAsync(HttpStatusCode.OK);

        var swagger = await client.GetAsync("/swagger/v1/swagger.json").ExpectAsync(HttpStatusCode.OK);
        Assert.That(swagger.GetProperty("paths").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "/api/v1/packages", "/api/v1/tenants/import", "/services/oauth2/token" }));
        using var ui = await client.GetAsync("/swagger/index.html");
        Assert.That(ui.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var native = await client.GetAsync("/api/v1/nothing-here").ExpectAsync(HttpStatusCode.NotFound);
        Assert.That(native.GetProperty("status").GetInt32(), Is.EqualTo(404));
        var salesforce = await client.GetAsync("/services/nothing-here").ExpectAsync(HttpStatusCode.NotFound);
        using var unauthenticatedData = await client.GetAsync(new Uri(server.BaseAddress.GetLeftPart(UriPartial.Authority) + "//services/data/v62.0/sobjects"));
        Assert.That(unauthenticatedData.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the double-slash path reaches the data API");
        Assert.That(salesforce[0].Text("errorCode"), Is.EqualTo("NOT_FOUND"));
        var doubleSlash = await client.GetAsync(new Uri(server.BaseAddress.GetLeftPart(UriPartial.Authority) + "//services/nothing-here")).ExpectAsync(HttpStatusCode.NotFound);
        Assert.That(doubleSlash[0].Text("errorCode"), Is.EqualTo("NOT_FOUND"), "the sf CLI's //services paths are served as /services");
        var method = await client.PutAsync("/services/oauth2/token", new StringContent("")).ExpectAsync(HttpStatusCode.MethodNotAllowed);
        Assert.That(method[0].Text("errorCode"), Is.EqualTo("METHOD_NOT_ALLOWED"));
    }

    [Test]
    public void Half_a_bootstrap_configuration_stops_the_start_with_a_clear_message()
    {
        var e = Assert.CatchAsync(async () =>
        {
            using var server = await PushApiServer.StartOnNewDatabaseAsync("halfboot", settings: new Dictionary<string, string?> { ["PushApi:Bootstrap:Password"] = null });
        });
        Assert.That(e!.ToString(), Does.Contain("PushApi__Bootstrap__Username and PushApi__Bootstrap__Password"));
    }

    [Test]
    public void A_public_url_that_is_not_an_http_url_stops_the_start_with_a_clear_message()
    {
        var e = Assert.CatchAsync(async () =>
        {
            using var server = await PushApiServer.StartOnNewDatabaseAsync("badpublicurl", settings: new Dictionary<string, string?> { ["PushApi:PublicUrl"] = "ftp://push.example.test" });
        });
        Assert.That(e!.ToString(), Does.Contain("PushApi:PublicUrl must be an absolute http or https URL"));
    }
}
