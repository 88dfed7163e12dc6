using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// samples/rest/push-release.sh and samples/ci/cancel-push.sh run with bash, curl and jq against a
/// live server, as their README says to run them.
/// </summary>
[NonParallelizable]
public class SampleScriptTests() : ApiFixture("samples")
{
    private string _package = null!;
    private readonly Dictionary<string, string> _versions = [];
    private readonly List<string> _eligible = [];
    private (string Id, string Secret) _client;

    protected override async Task OnStartedAsync()
    {
        _package = (await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Sample App", namespacePrefix = "sample" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        foreach (var (name, major, minor, state) in new[] { ("1.0", 1, 0, "Released"), ("1.1", 1, 1, "Released"), ("2.0", 2, 0, "Released"), ("2.1", 2, 1, "Beta"), ("3.0", 3, 0, "Released") })
        {
            _versions[name] = (await Admin.PostAsJsonAsync($"/api/v1/packages/{_package}/versions", new { name, majorVersion = major, minorVersion = minor, releaseState = state })
                .ExpectAsync(HttpStatusCode.Created)).Text("id");
        }

        // 250 active orgs on 1.0 and 50 on 1.1 can take 2.0; inactive orgs and orgs already on 2.0 can't.
        var rows = Enumerable.Range(0, 250).Select(i => Tenant($"On 1.0 #{i}", "Active", "1.0"))
            .Concat(Enumerable.Range(0, 50).Select(i => Tenant($"On 1.1 #{i}", "Active", "1.1")))
            .Concat(Enumerable.Range(0, 20).Select(i => Tenant($"Inactive #{i}", "Inactive", "1.0")))
            .Concat(Enumerable.Range(0, 10).Select(i => Tenant($"On 2.0 #{i}", "Active", "2.0")))
            .ToList();
        var import = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        _eligible.AddRange(import.GetProperty("rows").EnumerateArray().Take(300).Select(r => r.Text("orgKey")));
        var client = await Admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "ci", permissions = new[] { "PushUpgrade" } }).ExpectAsync(HttpStatusCode.Created);
        _client = (client.Text("clientId"), client.Text("clientSecret"));
    }

    private object Tenant(string name, string status, string version) =>
        new { orgName = name, orgType = "Production", orgStatus = status, packageVersionId = _versions[version] };

    private Dictionary<string, string?> UserEnvironment() => new()
    {
        ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
        ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
        ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
        ["POLL"] = "1",
    };

    private Dictionary<string, string?> PipelineEnvironment(string? summaryFile = null) => new()
    {
        ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
        ["PUSHAPI_CLIENT_ID"] = _client.Id,
        ["PUSHAPI_CLIENT_SECRET"] = _client.Secret,
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_STEP_SUMMARY"] = summaryFile,
    };

    private static Task<(int ExitCode, string Output)> RunAsync(string script, IDictionary<string, string?> environment, params string[] arguments) =>
        ExternalProcess.RunAsync("bash", [Repository.PathOf("samples", script), .. arguments], environment, TimeSpan.FromMinutes(2));

    [Test]
    public async Task The_release_script_pushes_to_every_eligible_subscriber_and_follows_the_push_to_the_end()
    {
        var (exitCode, output) = await RunAsync("rest/push-release.sh", UserEnvironment(), _versions["2.0"]);
        TestContext.Out.WriteLine(output);

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain($"Pushing 2.0.0 ({_versions["2.0"]}) to 300 orgs."));
        var request = System.Text.RegularExpressions.Regex.Match(output, "Created push request (0DV\\w+)").Groups[1].Value;
        Assert.That(output, Does.Contain($"Push request {request} Succeeded: 300 of 300 orgs upgraded"));
        var jobs = await Admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString($"SELECT SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{request}'"))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(jobs.GetProperty("records").EnumerateArray().Select(j => j.Text("SubscriberOrganizationKey")), Is.EquivalentTo(_eligible));
        Assert.That(jobs.GetProperty("records").EnumerateArray().Select(j => j.Text("Status")), Has.All.EqualTo("Succeeded"));

        var again = await RunAsync("rest/push-release.sh", UserEnvironment(), _versions["2.0"]);
        Assert.That(again.ExitCode, Is.EqualTo(3), again.Output);
        Assert.That(again.Output, Does.Contain("No eligible subscriber for 2.0.0."));

        var beta = await RunAsync("rest/push-release.sh", UserEnvironment(), _versions["2.1"]);
        Assert.That(beta.ExitCode, Is.EqualTo(1));
        Assert.That(beta.Output, Does.Contain("Version 2.1.0 is not released"));
    }

    [Test]
    public async Task The_pipeline_cancels_a_scheduled_push_and_fails_readably_when_it_no_longer_can()
    {
        var orgsFile = Path.GetTempFileName();
        await File.WriteAllLinesAsync(orgsFile, ["# a chosen few", .. _eligible.Take(5), "00D000000000000"]);
        var (exitCode, output) = await RunAsync("rest/push-release.sh", UserEnvironment(), _versions["3.0"], "--orgs", orgsFile, "--at", TimeProvider.System.GetUtcNow().AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), "--no-wait");
        File.Delete(orgsFile);
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("to 5 orgs."), "only listed orgs that are eligible");
        var request = System.Text.RegularExpressions.Regex.Match(output, "Created push request (0DV\\w+)").Groups[1].Value;
        Assert.That((await Admin.GetAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}").ExpectAsync(HttpStatusCode.OK)).Text("Status"), Is.EqualTo("Pending"));

        var summary = Path.GetTempFileName();
        var cancel = await RunAsync("ci/cancel-push.sh", PipelineEnvironment(summary), request);
        Assert.That(cancel.ExitCode, Is.Zero, cancel.Output);
        Assert.That(cancel.Output, Does.Contain($"Canceled push request {request} (was Pending); 5 jobs canceled."));
        Assert.That(await File.ReadAllTextAsync(summary), Does.Contain(request));
        File.Delete(summary);

        var twice = await RunAsync("ci/cancel-push.sh", PipelineEnvironment(), request);
        Assert.That((twice.ExitCode, twice.Output.Trim()), Is.EqualTo((0, $"Push request {request} was already canceled.")));

        // A push that already ran can't be canceled: the pipeline fails with Salesforce's reason.
        var finished = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "samplesdone");
        var done = await finished.RequestAsync();
        await finished.AddJobsAsync(done, await finished.TenantsAsync(3));
        await finished.ScheduleAsync(done);
        await finished.WaitForAsync(done, TimeSpan.FromSeconds(30), "Succeeded");
        var refused = await RunAsync("ci/cancel-push.sh", PipelineEnvironment(), done);
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.Output, Does.Contain($"::error title=Push request not canceled::Push request {done} can no longer be canceled (it is Succeeded). INVALID_OPERATION:"));

        var unknown = await RunAsync("ci/cancel-push.sh", PipelineEnvironment(), "0DV000000000999AAA");
        Assert.That(unknown.ExitCode, Is.EqualTo(1));
        Assert.That(unknown.Output, Does.Contain("NOT_FOUND"));
        var malformed = await RunAsync("ci/cancel-push.sh", PipelineEnvironment(), "banana");
        Assert.That(malformed.ExitCode, Is.EqualTo(1));
        Assert.That(malformed.Output, Does.Contain("usage:"));
    }

    [Test]
    public async Task The_workflow_runs_the_cancel_script_with_its_input()
    {
        var workflow = await File.ReadAllTextAsync(Repository.PathOf("samples", "ci", "cancel-push.yml"));
        Assert.That(workflow, Does.Contain("workflow_dispatch:").And.Contain("push_request_id:"));
        Assert.That(workflow, Does.Contain("REQUEST_ID: ${{ inputs.push_request_id }}").And.Contain("run: samples/ci/cancel-push.sh \"$REQUEST_ID\""));
        Assert.That(File.Exists(Repository.PathOf("samples", "ci", "cancel-push.sh")), Is.True);
    }
}
