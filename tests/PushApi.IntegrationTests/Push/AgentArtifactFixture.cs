using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Push;

/// <summary>
/// A server and samples/tenant-agent/agent.js run with node, with an <see cref="AgentProxy"/> between them. The
/// agent's install command keeps a copy of the package ZIP it was handed (<c>received/{pushJobId}.zip</c>) and logs
/// <c>{org} {pushJobId} {kind} {rolesMode} [{grantRoles}]</c> to <c>installs.log</c>.
/// </summary>
[NonParallelizable]
public abstract class AgentArtifactFixture
{
    protected const string Username = "artifact-agent";
    protected const string Password = "artifact-Secret-7";
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Items that pass the package criteria, so the versions have contents.</summary>
    protected static readonly IReadOnlyList<object> Items =
    [
        new { type = "Application", name = "Field Service", definition = new { objects = new[] { "Visit" }, tabs = new[] { "Visits" } } },
        new { type = "Object", name = "Visit", definition = new { label = "Visit" } },
        new { type = "WebTab", name = "Visits", definition = new { pages = Array.Empty<string>() } },
        new { type = "Field", name = "Visit.Duration", definition = new { @object = "Visit", dataType = "Number" } },
    ];

    private ExternalProcess _agent = null!;

    protected PushApiServer Server { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    protected AgentProxy Proxy { get; private set; } = null!;

    protected string Directory { get; private set; } = null!;

    protected object Agent => new { url = Proxy.Url.ToString(), username = Username, password = Password };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Directory = Path.Combine(Path.GetTempPath(), "pushapi-artifact-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        var port = ServerProcess.FreePort();
        _agent = ExternalProcess.Start("node", [Repository.PathOf("samples", "tenant-agent", "agent.js")], new Dictionary<string, string?>
        {
            ["AGENT_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AGENT_USERNAME"] = Username,
            ["AGENT_PASSWORD"] = Password,
            ["AGENT_STATE"] = Path.Combine(Directory, "state.json"),
            ["AGENT_INSTALL_COMMAND"] = """mkdir -p received && cp "$PUSH_ARTIFACT" "received/$PUSH_JOB_ID.zip" && echo "$PUSH_ORG_KEY $PUSH_JOB_ID $PUSH_INSTALL_KIND $PUSH_ROLES_MODE [$PUSH_GRANT_ROLES]" >> installs.log""",
        }, Directory);
        await _agent.WaitForOutputAsync("tenant agent listening", TimeSpan.FromSeconds(20));
        Proxy = await AgentProxy.StartAsync(new Uri($"http://127.0.0.1:{port}/upgrade"));
        Server = await PushApiServer.StartOnNewDatabaseAsync("artifact");
        Admin = await Server.LoginAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Admin.Dispose();
        Server.Dispose();
        await Proxy.DisposeAsync();
        _agent.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    protected Task<PushScenario> ScenarioAsync(string namespacePrefix) => PushScenario.CreateAsync(Admin, Server.ConnectionString, namespacePrefix, Items);

    /// <summary>Pushes the scenario's new version to the orgs through the Salesforce API and waits for the end.</summary>
    protected static async Task<string> PushAsync(PushScenario push, IEnumerable<string> orgs, params string[] endStatuses)
    {
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);
        if (endStatuses.Length > 0)
        {
            await push.WaitForAsync(request, Patience, endStatuses);
        }

        return request;
    }

    /// <summary>The version's package ZIP as an admin downloads it.</summary>
    protected async Task<byte[]> DownloadAsync(string versionId)
    {
        using var response = await Admin.GetAsync($"/api/v1/versions/{versionId}/package.zip");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsByteArrayAsync();
    }

    protected static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The lines the install command logged for an org.</summary>
    protected async Task<List<string>> InstallsOfAsync(string orgKey)
    {
        var log = Path.Combine(Directory, "installs.log");
        return File.Exists(log) ? [.. (await File.ReadAllLinesAsync(log)).Where(l => l.StartsWith(orgKey + " ", StringComparison.Ordinal))] : [];
    }

    /// <summary>The PackagePushErrors of a request's jobs, as a Salesforce client reads them.</summary>
    protected async Task<List<JsonElement>> ErrorsAsync(string request) =>
        [.. (await Admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString(
                $"SELECT PackagePushJob.SubscriberOrganizationKey, ErrorType, ErrorTitle, ErrorMessage FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId = '{request}'"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray()];

    protected static string ArtifactUrl(JsonObject request) => request["artifact"]!["url"]!.GetValue<string>();

    protected async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Creates a remote tenant that does not have the package.</summary>
    protected async Task<string> TenantWithoutPackageAsync() =>
        (await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Fresh Tenant", orgType = "Production", orgStatus = "Active", agent = Agent })
            .ExpectAsync(HttpStatusCode.Created)).Text("orgKey");
}
