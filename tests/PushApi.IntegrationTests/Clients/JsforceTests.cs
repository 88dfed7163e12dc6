using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// jsforce 3 (the npm package, unmodified) drives the whole push flow against a live server: OAuth
/// password login, describe, a 2,600-row subscriber query fetched page by page, single and array
/// create/retrieve/update, schedule, polling, counts, a refused abort and the error codes.
/// </summary>
[NonParallelizable]
public class JsforceTests() : ApiFixture("jsforce")
{
    private const int Subscribers = 2600;
    private PushScenario _push = null!;
    private (string Id, string Secret) _client;
    private PushScenario _composite = null!;
    private List<string> _compositeOrgs = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "jsf");
        await _push.TenantsAsync(Subscribers);
        var client = await Admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "jsforce", permissions = new[] { "PushUpgrade" } }).ExpectAsync(HttpStatusCode.Created);
        _client = (client.Text("clientId"), client.Text("clientSecret"));

        // A package of its own, so the push flow's subscriber count is not touched.
        _composite = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "jsc");
        _compositeOrgs = await _composite.TenantsAsync(6);
    }

    [Test]
    public async Task jsforce_sends_a_composite_call_with_references_and_a_Bulk_2_load_of_jobs()
    {
        var output = await ClientTools.RunNodeAsync("jsforce-composite.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["PUSHAPI_CLIENT_ID"] = _client.Id,
            ["PUSHAPI_CLIENT_SECRET"] = _client.Secret,
            ["NEW_VERSION_ID"] = _composite.NewVersion,
            ["ORG_KEYS"] = string.Join(',', _compositeOrgs),
        });
        var results = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;

        Assert.That(results.GetProperty("statuses").EnumerateArray().Select(s => s.GetInt32()), Is.EqualTo(new[] { 201, 200, 204, 200 }));
        Assert.That(results.GetProperty("jobIds").EnumerateArray().Select(s => s.GetString()).ToList(), Has.Count.EqualTo(3).And.All.Match("^0DX"));
        Assert.That(results.GetProperty("counts").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "Pending:3" }));
        Assert.That(results.Text("requestStatus"), Is.AnyOf("Pending", "In Progress", "Succeeded"));
        Assert.That(results.GetProperty("rolledBack").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "PROCESSING_HALTED", "INVALID_OPERATION" }));
        var jobs = await _composite.JobStatusesAsync(results.Text("requestId"));
        Assert.That(jobs.Keys, Is.EquivalentTo(_compositeOrgs.Take(3)), "the composite call's jobs are in the database");

        Assert.That(results.GetProperty("bulkSucceeded").GetInt32(), Is.EqualTo(3));
        Assert.That(results.GetProperty("bulkFailed").EnumerateArray().Select(s => s.GetString()), Has.Exactly(1).StartsWith("INVALID_OPERATION"));
        Assert.That((await _composite.JobStatusesAsync(results.Text("bulkRequestId"))).Keys, Is.EquivalentTo(_compositeOrgs.Skip(3)));
    }

    [Test]
    public async Task jsforce_runs_the_push_flow_unchanged()
    {
        var output = await ClientTools.RunNodeAsync("jsforce-push-flow.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["PUSHAPI_CLIENT_ID"] = _client.Id,
            ["PUSHAPI_CLIENT_SECRET"] = _client.Secret,
            ["OLD_VERSION_ID"] = _push.OldVersion,
            ["NEW_VERSION_ID"] = _push.NewVersion,
        });
        var results = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;

        Assert.That(results.GetProperty("sobjects").EnumerateArray().Select(s => s.GetString()), Is.SupersetOf(new[]
        {
            "MetadataPackage", "MetadataPackageVersion", "PackagePushError", "PackagePushJob", "PackagePushRequest", "PackageSubscriber",
        }));
        Assert.That(results.GetProperty("requestStatuses").EnumerateArray().Select(s => s.GetString()),
            Is.EquivalentTo(new[] { "Canceled", "Created", "Failed", "In Progress", "Pending", "Succeeded" }));
        Assert.That(results.Text("requestKeyPrefix"), Is.EqualTo("0DV"));
        Assert.That((results.GetProperty("totalSize").GetInt32(), results.GetProperty("subscribers").GetInt32(), results.GetProperty("jobsCreated").GetInt32()),
            Is.EqualTo((Subscribers, Subscribers, Subscribers)), "autoFetch paged through every subscriber and a job was added for each");
        Assert.That(results.Text("duplicateError"), Is.EqualTo("DUPLICATE_VALUE"));
        Assert.That(results.GetProperty("canceledOthers").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "Canceled", "Canceled" }));
        Assert.That(results.Text("finalStatus"), Is.EqualTo("Succeeded"));
        Assert.That(results.GetProperty("hasTimes").GetBoolean(), Is.True);
        Assert.That(results.GetProperty("jobCounts").GetProperty("Succeeded").GetInt32(), Is.EqualTo(Subscribers));
        Assert.That(results.GetProperty("jobCounts").GetProperty("Failed").GetInt32(), Is.Zero);
        Assert.That(results.Text("abortError"), Does.Contain("Succeeded"));
        Assert.That(results.Text("readOnlyManyError"), Is.EqualTo("INVALID_TYPE_FOR_OPERATION"));

        await _push.AssertCountersMatchAsync(results.Text("requestId"));
        Assert.That(await _push.InstalledVersionAsync((await _push.JobStatusesAsync(results.Text("requestId"))).Keys.First()), Is.EqualTo(_push.NewVersion));
    }

    [Test]
    public async Task jsforce_logs_in_through_the_SOAP_partner_endpoint_by_default()
    {
        var output = await ClientTools.RunNodeAsync("jsforce-soap-login.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
        });
        var results = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        Assert.That(results.Text("userId"), Does.StartWith("005"));
        Assert.That(results.GetProperty("packages").GetInt32(), Is.GreaterThanOrEqualTo(1));
        Assert.That(results.Text("refused"), Does.Contain("INVALID_LOGIN"));
    }

    [Test]
    public async Task jsforce_reads_the_limits_and_the_records_updated_in_a_window()
    {
        var output = await ClientTools.RunNodeAsync("jsforce-audit-limits.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["OLD_VERSION_ID"] = _push.OldVersion,
            ["NEW_VERSION_ID"] = _push.NewVersion,
        });
        var results = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;

        var daily = results.GetProperty("dailyApiRequests");
        Assert.That(daily.GetProperty("Max").GetInt64(), Is.GreaterThan(daily.GetProperty("Remaining").GetInt64()));
        var usage = results.GetProperty("limitInfo");
        Assert.That(usage.GetProperty("used").GetInt64(), Is.GreaterThan(0), "jsforce read Sforce-Limit-Info");
        Assert.That(usage.GetProperty("limit").GetInt64(), Is.EqualTo(daily.GetProperty("Max").GetInt64()));
        var job = results.Text("jobId");
        Assert.That(results.GetProperty("updatedIds").EnumerateArray().Select(i => i.GetString()), Does.Contain(job));
        Assert.That(results.Text("latestDateCovered"), Does.EndWith("+0000"));
        Assert.That(results.GetProperty("deleted").GetProperty("deletedRecords").GetArrayLength(), Is.Zero);
        var audited = results.GetProperty("audited").EnumerateArray().Single();
        Assert.That((audited.Text("Id"), audited.Text("CreatedById"), audited.Text("LastModifiedById")),
            Is.EqualTo((job, results.Text("userId"), Core.Catalog.AuditFields.AutomatedProcessUserId)), "created by the user, canceled with its request by the platform");
        Assert.That(results.Text("refused"), Is.EqualTo("INVALID_REPLICATION_DATE"));
    }
}
