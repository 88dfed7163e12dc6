using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Push;

/// <summary>
/// samples/tenant-agent/agent.js, run with node as a tenant would run it, upgraded by a real push:
/// its install command runs once per org, a failing command becomes the job's PackagePushError, and a
/// repeated call with the same push job id does not install twice.
/// </summary>
[NonParallelizable]
public class ReferenceAgentTests
{
    private const string Username = "tenant-agent";
    private const string Password = "agent-Secret-9";
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;
    private ExternalProcess _agent = null!;
    private string _directory = null!;
    private Uri _agentUrl = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "pushapi-agent-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
        var port = ServerProcess.FreePort();
        _agentUrl = new Uri($"http://127.0.0.1:{port}/upgrade");
        _agent = ExternalProcess.Start("node", [Repository.PathOf("samples", "tenant-agent", "agent.js")], new Dictionary<string, string?>
        {
            ["AGENT_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AGENT_USERNAME"] = Username,
            ["AGENT_PASSWORD"] = Password,
            ["AGENT_STATE"] = Path.Combine(_directory, "state.json"),

            // The tenant's install step: logs each install; the org named in FAIL_ORG has a full disk.
            ["AGENT_INSTALL_COMMAND"] = """echo "$PUSH_ORG_KEY $PUSH_NAMESPACE $PUSH_VERSION_NUMBER $PUSH_JOB_ID" >> installs.log; if [ "$PUSH_ORG_KEY" = "$(cat fail-org 2>/dev/null)" ]; then echo "No space left on device" >&2; exit 3; fi""",
        }, _directory);
        await _agent.WaitForOutputAsync("tenant agent listening", TimeSpan.FromSeconds(20));
        _server = await PushApiServer.StartOnNewDatabaseAsync("agent");
        _admin = await _server.LoginAsync();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _admin.Dispose();
        _server.Dispose();
        _agent.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_push_through_the_reference_agent_installs_once_per_org_and_reports_the_failing_one()
    {
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString, "refagent");
        var orgs = await push.TenantsAsync(4, new { url = _agentUrl.ToString(), username = Username, password = Password });
        await File.WriteAllTextAsync(Path.Combine(_directory, "fail-org"), orgs[2]);

        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);
        var done = await push.WaitForAsync(request, TimeSpan.FromSeconds(30), "Succeeded", "Failed");

        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"), "three of four orgs upgraded");
        var statuses = await push.JobStatusesAsync(request);
        Assert.That(orgs.Select(o => statuses[o]), Is.EqualTo(new[] { "Succeeded", "Succeeded", "Failed", "Succeeded" }));
        var installs = await File.ReadAllLinesAsync(Path.Combine(_directory, "installs.log"));
        Assert.That(installs.Select(l => l.Split(' ')[0]), Is.EquivalentTo(orgs), "the install command ran once per org");
        Assert.That(installs, Has.All.Contains(" refagent 2.0 0DX"), "with the namespace, version and push job id");

        var error = (await _admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString(
            $"SELECT ErrorType, ErrorTitle, ErrorMessage, ErrorDetails FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId = '{request}'"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray().Single();
        Assert.That((error.Text("ErrorType"), error.Text("ErrorTitle"), error.Text("ErrorMessage"), error.Text("ErrorDetails")),
            Is.EqualTo(("UnclassifiedError", "Install Failed", "The install command exited with code 3.", "No space left on device")));

        var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, "state.json"))).RootElement;
        Assert.That(state.GetProperty("installed").EnumerateObject().Select(p => p.Name.Split('/')[0]), Is.EquivalentTo(new[] { orgs[0], orgs[1], orgs[3] }));
        Assert.That(await push.InstalledVersionAsync(orgs[0]), Is.EqualTo(push.NewVersion));
        Assert.That(await push.InstalledVersionAsync(orgs[2]), Is.EqualTo(push.OldVersion));
    }

    [Test]
    public async Task The_agent_answers_a_repeated_job_from_its_record_and_refuses_bad_credentials()
    {
        using var http = new HttpClient();
        var body = new
        {
            pushJobId = "0DX000000000042AAA",
            pushRequestId = "0DV000000000007AAA",
            orgKey = "00D000000000123",
            packageId = "033000000000001AAA",
            namespacePrefix = "again",
            packageVersionId = "04t000000000003AAA",
            versionNumber = "3.1",
        };

        async Task<HttpResponseMessage> PostAsync(string password, object content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _agentUrl) { Content = JsonContent.Create(content) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{password}")));
            request.Headers.Add("Idempotency-Key", "0DX000000000042AAA");
            return await http.SendAsync(request);
        }

        using (var first = await PostAsync(Password, body))
        using (var second = await PostAsync(Password, body))
        {
            Assert.That((first.StatusCode, second.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
        }

        var installs = await File.ReadAllLinesAsync(Path.Combine(_directory, "installs.log"));
        Assert.That(installs.Count(l => l.StartsWith("00D000000000123 again 3.1", StringComparison.Ordinal)), Is.EqualTo(1), "one install for two calls of the same job");

        using (var older = await PostAsync(Password, new { body.pushRequestId, pushJobId = "0DX000000000043AAA", body.orgKey, body.packageId, body.namespacePrefix, body.packageVersionId, versionNumber = "3.0" }))
        {
            Assert.That(older.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            var error = await older.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That((error.Text("errorType"), error.Text("errorTitle")), Is.EqualTo(("IneligibleUpgrade", "Already Installed")));
        }

        using (var wrong = await PostAsync("not-the-password", body))
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using (var missing = await PostAsync(Password, new { pushJobId = "0DX000000000044AAA" }))
        {
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await missing.Content.ReadFromJsonAsync<JsonElement>()).Text("errorMessage"), Does.Contain("orgKey"));
        }
    }
}
