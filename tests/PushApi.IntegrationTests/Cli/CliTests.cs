using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Cli;

/// <summary>
/// The operator CLI, built, run as a child process against one live server: login and its config file, tenant import,
/// package ZIPs, and what bad input gives (one line, a distinct exit code, never a stack trace). The deployment
/// commands are in CliDeploymentTests.cs, on the same server.
/// </summary>
[NonParallelizable]
public partial class CliTests() : ApiFixture("cli", settings: Settings)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        // Few remote upgrades at once, so a halted push still has jobs to cancel; every call checks its token.
        ["PushApi:Execution:Concurrency"] = "4",
        ["PushApi:Auth:SessionCacheDuration"] = "00:00:00",
    };

    private readonly List<string> _directories = [];
    private CliRunner _cli = null!;
    private FakeAgent _agent = null!;

    private string Url => Server.BaseAddress.GetLeftPart(UriPartial.Authority);

    protected override async Task OnStartedAsync()
    {
        Assert.That(File.Exists(CliRunner.Tool), Is.True, $"{CliRunner.Tool} is built with the test project");
        _agent = await FakeAgent.StartAsync();
        _cli = new CliRunner(NewDirectory());
        var login = await _cli.RunAsync(["login", "--url", Url, "--username", PushApiServer.AdminUsername, "--password-stdin"], input: PushApiServer.AdminPassword);
        Assert.That(login.ExitCode, Is.Zero, login.Error);
    }

    [OneTimeTearDown]
    public async Task CleanUpAsync()
    {
        await _agent.DisposeAsync();
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pushapi-cli-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return directory;
    }

    private string TempFile(string name, string contents)
    {
        var path = Path.Combine(_cli.ConfigDirectory, name);
        File.WriteAllText(path, contents);
        return path;
    }

    private static void AssertOneLine(CliResult result, int exitCode, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.Error);
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), "one line on standard error");
            Assert.That(result.Error, Does.StartWith("pushapi: ").And.Contain(expected));
            Assert.That(result.Output + result.Error, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace");
        });
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Login_keeps_the_token_in_a_file_only_its_owner_can_read()
    {
        var cli = new CliRunner(Path.Combine(NewDirectory(), "nested"));
        var result = await cli.RunAsync(["login", "--url", Url, "--username", PushApiServer.AdminUsername, "--password-stdin"], input: PushApiServer.AdminPassword);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Output, Does.Contain($"Logged in to {Url} as {PushApiServer.AdminUsername} (Admin, "));
        var file = Path.Combine(cli.ConfigDirectory, "config.json");
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "config.json is 600");
        Assert.That(File.GetUnixFileMode(cli.ConfigDirectory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), "its directory is 700");
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.That(config.RootElement.GetProperty("url").GetString(), Is.EqualTo(Url));
        var token = config.RootElement.GetProperty("token").GetString()!;
        using var client = Server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.That((await client.GetAsync("/api/v1/me").ExpectAsync(HttpStatusCode.OK)).Text("username"), Is.EqualTo(PushApiServer.AdminUsername), "the stored token works");

        // An API client logs in with client credentials; --json answers for scripts.
        var apiClient = await Admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "cli", permissions = new[] { "PushUpgrade" } }).ExpectAsync(HttpStatusCode.Created);
        var json = await cli.RunAsync(["login", "--url", Url, "--client-id", apiClient.Text("clientId"), "--password-stdin", "--json"], input: apiClient.Text("clientSecret"));
        Assert.That(json.ExitCode, Is.Zero, json.Error);
        using var answer = JsonDocument.Parse(json.Output);
        Assert.That(answer.RootElement.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Does.Contain("PushUpgrade").And.Not.Contain("Admin"));
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "still 600 once replaced");

        var wrong = await cli.RunAsync(["login", "--url", Url, "--username", PushApiServer.AdminUsername, "--password-stdin"], input: "not-the-password");
        AssertOneLine(wrong, 4, "refused the login");
    }

    [Test]
    public async Task Tenants_import_reports_every_row_and_exits_1_when_a_row_failed()
    {
        var scenario = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var csv = TempFile("tenants.csv", $"""
            orgName,orgType,orgStatus,packageVersionId
            Imported A,Production,Active,{scenario.OldVersion}
            Imported B,Sandbox,Active,{scenario.OldVersion}
            Imported C,Production,Inactive,
            Broken D,Mainframe,Active,
            """);
        var result = await _cli.RunAsync(["tenants", "import", csv]);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
        Assert.That(result.Output, Does.Contain("4 rows: 3 created, 0 updated, 1 failed."));
        Assert.That(result.Output, Does.Contain("orgType").And.Contain("Failed"), "the failed row's problem is shown");

        var json = await _cli.RunAsync(["tenants", "import", TempFile("tenants.json", """[{"orgName": "From JSON", "orgType": "Production", "orgStatus": "Active"}]"""), "--json"]);
        Assert.That(json.ExitCode, Is.Zero, json.Error);
        using var answer = JsonDocument.Parse(json.Output);
        Assert.That(answer.RootElement.GetProperty("created").GetInt32(), Is.EqualTo(1));
        var orgKey = answer.RootElement.GetProperty("rows")[0].GetProperty("orgKey").GetString();
        Assert.That((await Admin.GetAsync($"/api/v1/tenants/{orgKey}").ExpectAsync(HttpStatusCode.OK)).Text("orgName"), Is.EqualTo("From JSON"));
    }

    [Test]
    public async Task Packages_export_saves_the_version_zip_and_import_stores_it()
    {
        var scenario = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var zip = Path.Combine(_cli.ConfigDirectory, "export.zip");
        var export = await _cli.RunAsync(["packages", "export", scenario.NewVersion, "--output", zip]);

        Assert.That(export.ExitCode, Is.Zero, export.Error);
        Assert.That(export.Output, Does.Contain($"Saved version {scenario.NewVersion} to {zip}"));
        using (var archive = ZipFile.OpenRead(zip))
        {
            Assert.That(archive.Entries.Select(e => e.FullName), Does.Contain("manifest.json"));
        }

        var served = await (await Admin.GetAsync($"/api/v1/versions/{scenario.NewVersion}/package.zip")).Content.ReadAsByteArrayAsync();
        Assert.That(await File.ReadAllBytesAsync(zip), Is.EqualTo(served), "the bytes the server serves");

        var again = await _cli.RunAsync(["packages", "import", zip]);
        Assert.That(again.ExitCode, Is.Zero, again.Error);
        Assert.That(again.Output, Does.Contain($"Version {scenario.NewVersion} of package {scenario.PackageId} was already here; nothing changed."));

        var json = await _cli.RunAsync(["packages", "import", zip, "--json"]);
        using var answer = JsonDocument.Parse(json.Output);
        Assert.That((json.ExitCode, answer.RootElement.GetProperty("versionId").GetString(), answer.RootElement.GetProperty("created").GetBoolean()), Is.EqualTo((0, scenario.NewVersion, false)));
    }

    [Test]
    public async Task Bad_input_gives_one_line_saying_what_to_do_and_a_distinct_exit_code()
    {
        var nowhere = await _cli.RunAsync(["login", "--url", "http://127.0.0.1:1", "--username", "someone", "--password-stdin"], input: "x");
        AssertOneLine(nowhere, 3, "Cannot reach http://127.0.0.1:1 (connection refused); check the URL");
        var notPushApi = await _cli.RunAsync(["login", "--url", _agent.Url.GetLeftPart(UriPartial.Authority), "--username", "someone", "--password-stdin"], input: "x");
        AssertOneLine(notPushApi, 3, "does not look like a PushApi server");
        AssertOneLine(await _cli.RunAsync(["watch", "0DV000000000001AAA", "--url", "not a url"]), 3, "is not a server address");

        var garbage = await _cli.RunAsync(["watch", "0DV000000000001AAA"], new Dictionary<string, string?> { ["PUSHAPI_URL"] = Url, ["PUSHAPI_TOKEN"] = "00Dgarbage!token" });
        AssertOneLine(garbage, 4, $"refused the token (expired or invalid); run: pushapi login --url {Url}");
        AssertOneLine(await new CliRunner(NewDirectory()).RunAsync(["watch", "0DV000000000001AAA"]), 4, "Not logged in; run: pushapi login");
        AssertOneLine(await ExpiredSessionRunAsync(), 4, "run: pushapi login");

        var missing = Path.Combine(_cli.ConfigDirectory, "no-such-file.csv");
        AssertOneLine(await _cli.RunAsync(["tenants", "import", missing]), 5, $"File not found: {missing}");
        AssertOneLine(await _cli.RunAsync(["packages", "import", missing]), 5, "File not found");
        AssertOneLine(await _cli.RunAsync(["deploy", "--version", "04t000000000001AAA", "--orgs", missing]), 5, "File not found");

        AssertOneLine(await _cli.RunAsync(["deploy", "--version", "04t000000000001AAA"]), 2, "exactly one of --all, --orgs FILE or --where");
        AssertOneLine(await _cli.RunAsync(["deploy", "--all"]), 2, "--version");
        AssertOneLine(await _cli.RunAsync(["frobnicate"]), 2, "Unrecognized command or argument 'frobnicate'");
        AssertOneLine(await _cli.RunAsync(["watch", "0DV000000000999AAA"]), 6, "refused the request (404)");

        var json = await _cli.RunAsync(["tenants", "import", missing, "--json"]);
        using var error = JsonDocument.Parse(json.Error);
        Assert.That((json.ExitCode, error.RootElement.GetProperty("exitCode").GetInt32()), Is.EqualTo((5, 5)));
    }

    /// <summary>A login whose session then lies unused past the idle timeout, as after a long weekend.</summary>
    private async Task<CliResult> ExpiredSessionRunAsync()
    {
        var cli = new CliRunner(NewDirectory());
        var login = await cli.RunAsync(["login", "--url", Url, "--username", PushApiServer.AdminUsername, "--password-stdin"], input: PushApiServer.AdminPassword);
        Assert.That(login.ExitCode, Is.Zero, login.Error);
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var expire = new NpgsqlCommand("UPDATE sessions SET last_used_at = last_used_at - interval '1 day' WHERE id = (SELECT max(id) FROM sessions)", connection);
        Assert.That(await expire.ExecuteNonQueryAsync(), Is.EqualTo(1));
        return await cli.RunAsync(["watch", "0DV000000000001AAA"]);
    }
}
