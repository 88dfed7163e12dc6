using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Governance;

/// <summary>
/// Four-eyes approval on the real server, turned on by an administrator: a deployment, a retry or a push
/// request set Pending through the Salesforce API waits (Created on the Salesforce side) until another user
/// with ApprovePush approves it (then it runs) or rejects it (then it is canceled); the submitter can't
/// approve their own; every decision and refusal is audited and becomes a webhook event.
/// </summary>
public class ApprovalTests() : ApiFixture("approvals")
{
    private const string Password = "Approval-Password-1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private PushScenario _push = null!;
    private List<string> _orgs = null!;
    private HttpClient _submitter = null!;
    private HttpClient _approver = null!;
    private HttpClient _bystander = null!;
    private PushScenario _submitterPush = null!;

    protected override async Task OnStartedAsync()
    {
        var settings = await Admin.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((settings.GetProperty("requireApproval").GetBoolean(), settings.GetProperty("sources").Text("requireApproval")), Is.EqualTo((true, "settings")));
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        _orgs = await _push.TenantsAsync(20);
        _submitter = await UserAsync("submitter@test.local", "PushUpgrade");
        _approver = await UserAsync("approver@test.local", "PushUpgrade", "ApprovePush");
        _bystander = await UserAsync("bystander@test.local", "PushUpgrade");
        _submitterPush = PushScenario.ForExisting(_submitter, Server.ConnectionString, _push.PackageId, _push.NewVersion);
    }

    [OneTimeTearDown]
    public void DisposeClients()
    {
        _submitter.Dispose();
        _approver.Dispose();
        _bystander.Dispose();
    }

    [Test]
    public async Task A_deployment_waits_for_approval_the_submitter_cannot_approve_it_and_another_users_approval_runs_it()
    {
        var id = await DeployAsync(Admin, _orgs[0], _orgs[1]);
        var waiting = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(waiting.Text("status"), Is.EqualTo("AwaitingApproval"));
        var approval = waiting.GetProperty("approval");
        Assert.That((approval.GetProperty("awaiting").GetBoolean(), approval.Text("requestedBy"), approval.GetProperty("decision").ValueKind), Is.EqualTo((true, PushApiServer.AdminUsername, JsonValueKind.Null)));

        var listed = await Admin.GetAsync("/api/v1/deployments?limit=500").ExpectAsync(HttpStatusCode.OK);
        Assert.That(listed.GetProperty("items").EnumerateArray().Single(d => d.Text("id") == id).Text("status"), Is.EqualTo("AwaitingApproval"));

        var other = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = new[] { _orgs[0], _orgs[15] } }, dryRun = true })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(other.GetProperty("report").GetProperty("leftOut").EnumerateArray().Select(l => (l.Text("orgKey"), l.Text("reason"))), Is.EqualTo(new[] { (_orgs[0], "AlreadyScheduled") }),
            "a push awaiting approval keeps its orgs from other pushes");

        await Task.Delay(1500);
        Assert.That((await _push.RequestRecordAsync(id)).Text("Status"), Is.EqualTo("Created"), "Salesforce clients see the held request as Created");
        Assert.That((await _push.JobStatusesAsync(id)).Values, Is.All.EqualTo("Created"), "no job runs before the approval");

        var self = await Admin.PostAsJsonAsync($"/api/v1/deployments/{id}/approve", new { comment = "looks fine to me" }).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.That(self.Text("errorCode"), Is.EqualTo("SELF_APPROVAL"));
        Assert.That(self.Text("detail"), Does.Contain("yourself").And.Contain("second person"));
        var unpermitted = await _bystander.PostAsJsonAsync($"/api/v1/deployments/{id}/approve", new { }).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.That(unpermitted.Text("errorCode"), Is.EqualTo("INSUFFICIENT_ACCESS"));
        Assert.That((await _push.RequestRecordAsync(id)).Text("Status"), Is.EqualTo("Created"), "refusals change nothing");

        var approved = await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/approve", new { comment = "Checked the release notes" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((approved.Text("decision"), approved.Text("decidedBy"), approved.Text("comment"), approved.GetProperty("awaiting").GetBoolean()),
            Is.EqualTo(("Approved", "approver@test.local", "Checked the release notes", false)));
        await _push.WaitForAsync(id, Timeout, "Succeeded");
        var done = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((done.Text("status"), done.GetProperty("approval").Text("decision")), Is.EqualTo(("Succeeded", "Approved")));
        Assert.That(await _push.InstalledVersionAsync(_orgs[0]), Is.EqualTo(_push.NewVersion));

        var twice = await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/approve", new { }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(twice.Text("detail"), Does.Contain("not awaiting approval").And.Contain("approved by approver@test.local"));
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/reject", new { comment = "too late" }).ExpectAsync(HttpStatusCode.Conflict);

        var audit = await AuditAsync(id);
        Assert.That(audit, Does.Contain(("deployment.approvalRefused", PushApiServer.AdminUsername)).And.Contain(("deployment.approved", "approver@test.local")));
    }

    [Test]
    public async Task A_rejection_needs_a_comment_and_cancels_the_deployment()
    {
        var id = await DeployAsync(_submitter, _orgs[2]);
        var missing = await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/reject", new { comment = "  " }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(missing.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "comment" }));
        await _bystander.PostAsJsonAsync($"/api/v1/deployments/{id}/reject", new { comment = "no" }).ExpectAsync(HttpStatusCode.Forbidden);

        var rejected = await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/reject", new { comment = "Not during the freeze" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((rejected.Text("decision"), rejected.Text("decidedBy"), rejected.Text("comment")), Is.EqualTo(("Rejected", "approver@test.local", "Not during the freeze")));
        Assert.That((await _push.RequestRecordAsync(id)).Text("Status"), Is.EqualTo("Canceled"));
        Assert.That((await _push.JobStatusesAsync(id)).Values, Is.All.EqualTo("Canceled"));
        await _push.AssertCountersMatchAsync(id);
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/approve", new { }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(await AuditAsync(id), Does.Contain(("deployment.rejected", "approver@test.local")));
    }

    [Test]
    public async Task A_push_request_set_Pending_through_the_Salesforce_API_waits_and_approval_runs_it()
    {
        var request = await _submitterPush.RequestAsync();
        await _submitterPush.AddJobsAsync(request, [_orgs[3], _orgs[4]]);
        await _submitterPush.ScheduleAsync(request);
        await _submitterPush.ScheduleAsync(request);
        var soap = new SoapClient(Server.Anonymous());
        await soap.LoginAsync("submitter@test.local", Password);
        var updated = await soap.OkAsync("update", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:Id>{request}</ens:Id><ens:Status>Pending</ens:Status></sObjects>""");
        Assert.That(updated.Elements().Single().Element(soap.Tns + "success")!.Value, Is.EqualTo("true"), "a SOAP update to Pending succeeds too");
        Assert.That((await _submitterPush.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Created"), "the write succeeds; the request waits, Created");
        var approval = await _submitter.GetAsync($"/api/v1/deployments/{request}/approval").ExpectAsync(HttpStatusCode.OK);
        Assert.That((approval.GetProperty("awaiting").GetBoolean(), approval.Text("requestedBy")), Is.EqualTo((true, "submitter@test.local")));
        Assert.That(await CountAsync($"SELECT count(*) FROM push_request_events WHERE request_id = {Number(request)} AND event_type = 'deployment.awaitingApproval'"), Is.EqualTo(1),
            "scheduling a held request again holds it once");

        await _submitter.PostAsJsonAsync($"/api/v1/deployments/{request}/approve", new { }).ExpectAsync(HttpStatusCode.Forbidden);
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{request}/approve", new { }).ExpectAsync(HttpStatusCode.OK);
        await _submitterPush.WaitForAsync(request, Timeout, "Succeeded");
        Assert.That((await _submitterPush.JobStatusesAsync(request)).Values, Is.All.EqualTo("Succeeded"));
    }

    [Test]
    public async Task A_composite_update_to_Pending_waits_for_approval_too()
    {
        var request = await _submitterPush.RequestAsync();
        await _submitterPush.AddJobsAsync(request, [_orgs[14]]);
        var results = await _submitter.PatchAsJsonAsync("/services/data/v62.0/composite/sobjects", new
        {
            allOrNone = true,
            records = new[] { new Dictionary<string, object> { ["attributes"] = new { type = "PackagePushRequest" }, ["id"] = request, ["Status"] = "Pending" } },
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(results[0].GetProperty("success").GetBoolean(), Is.True);
        Assert.That((await _submitterPush.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Created"));
        Assert.That((await Admin.GetAsync($"/api/v1/deployments/{request}").ExpectAsync(HttpStatusCode.OK)).Text("status"), Is.EqualTo("AwaitingApproval"));
    }

    [Test]
    public async Task Approval_keeps_the_scheduled_start_time_and_a_start_time_that_passed_while_waiting_means_now()
    {
        var later = await DeployAsync(_submitter, TimeProvider.System.GetUtcNow().AddDays(1), _orgs[5]);
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{later}/approve", new { }).ExpectAsync(HttpStatusCode.OK);
        var pending = await _push.RequestRecordAsync(later);
        Assert.That(pending.Text("Status"), Is.EqualTo("Pending"), "scheduled for tomorrow, as without approval");
        await Admin.PostAsync($"/api/v1/deployments/{later}/cancel", null).ExpectAsync(HttpStatusCode.OK);

        var soon = await DeployAsync(_submitter, TimeProvider.System.GetUtcNow().AddSeconds(2), _orgs[6]);
        await Task.Delay(3000);
        Assert.That((await _push.RequestRecordAsync(soon)).Text("Status"), Is.EqualTo("Created"), "its start time passed while it waited");
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{soon}/approve", new { }).ExpectAsync(HttpStatusCode.OK);
        await _push.WaitForAsync(soon, Timeout, "Succeeded");
    }

    [Test]
    public async Task A_retry_waits_for_approval_too()
    {
        var id = await DeployAsync(_submitter, _orgs[12], _orgs[13]);
        await Admin.DeleteAsync($"/api/v1/installations/{_orgs[13]}/{_push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/approve", new { }).ExpectAsync(HttpStatusCode.OK);
        await _push.WaitForAsync(id, Timeout, "Succeeded");
        await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = _orgs[13], packageVersionId = _push.OldVersion }).ExpectAsync(HttpStatusCode.OK);

        var retry = (await _submitter.PostAsJsonAsync($"/api/v1/deployments/{id}/retry", new { }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        Assert.That((await Admin.GetAsync($"/api/v1/deployments/{retry}").ExpectAsync(HttpStatusCode.OK)).Text("status"), Is.EqualTo("AwaitingApproval"));
        await _submitter.PostAsJsonAsync($"/api/v1/deployments/{retry}/approve", new { }).ExpectAsync(HttpStatusCode.Forbidden);
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{retry}/approve", new { }).ExpectAsync(HttpStatusCode.OK);
        await _push.WaitForAsync(retry, Timeout, "Succeeded");
        Assert.That((await _push.JobStatusesAsync(retry)).Keys, Is.EqualTo(new[] { _orgs[13] }));
    }

    [Test]
    public async Task Canceling_a_deployment_awaiting_approval_leaves_nothing_to_approve()
    {
        var id = await DeployAsync(_submitter, _orgs[7]);
        var canceled = await _submitter.PostAsync($"/api/v1/deployments/{id}/cancel", null).ExpectAsync(HttpStatusCode.OK);
        Assert.That(canceled.Text("status"), Is.EqualTo("Canceled"));
        var conflict = await _approver.PostAsJsonAsync($"/api/v1/deployments/{id}/approve", new { }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain("Canceled"));
        await _approver.PostAsJsonAsync("/api/v1/deployments/0DV000000000000AAA/approve", new { }).ExpectAsync(HttpStatusCode.NotFound);
        await _approver.PostAsJsonAsync("/api/v1/deployments/nonsense/reject", new { comment = "x" }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Each_approval_step_is_a_webhook_event_with_the_counts_of_its_moment()
    {
        await Admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hook" }).ExpectAsync(HttpStatusCode.Created);
        var approved = await DeployAsync(_submitter, _orgs[8], _orgs[9]);
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{approved}/approve", new { comment = "go" }).ExpectAsync(HttpStatusCode.OK);
        var rejected = await DeployAsync(_submitter, _orgs[10]);
        await _approver.PostAsJsonAsync($"/api/v1/deployments/{rejected}/reject", new { comment = "stop" }).ExpectAsync(HttpStatusCode.OK);

        var events = await EventsAsync(approved, rejected);
        Assert.That(events, Does.Contain((approved, "deployment.awaitingApproval", "Created", "Created", 2)));
        Assert.That(events, Does.Contain((approved, "deployment.approved", "Created", "Pending", 2)));
        Assert.That(events, Does.Contain((rejected, "deployment.rejected", "Created", "Canceled", 1)));

        // Each becomes a delivery whose body says its type and carries the approval.
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        List<JsonElement> bodies;
        do
        {
            await Task.Delay(200);
            bodies = await WebhookBodiesAsync(approved, rejected);
        }
        while (bodies.Count(b => b.Text("type").StartsWith("deployment.", StringComparison.Ordinal)) < 4 && TimeProvider.System.GetUtcNow() < deadline);

        var approvedBody = bodies.Single(b => b.Text("type") == "deployment.approved");
        Assert.That((approvedBody.Text("requestId"), approvedBody.GetProperty("approval").Text("decidedBy"), approvedBody.GetProperty("approval").Text("comment")),
            Is.EqualTo((approved, "approver@test.local", "go")));
        Assert.That(bodies.Single(b => b.Text("type") == "deployment.rejected").GetProperty("jobs").GetProperty("canceled").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task The_setting_is_shown_validated_and_when_off_nothing_waits()
    {
        var settings = await _bystander.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
        Assert.That(settings.GetProperty("requireApproval").GetBoolean(), Is.True);
        var bad = await Admin.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = "yes" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "requireApproval" }));
        await _approver.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = false }).ExpectAsync(HttpStatusCode.Forbidden);

        await Admin.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = false }).ExpectAsync(HttpStatusCode.OK);
        try
        {
            var id = await DeployAsync(_submitter, _orgs[11]);
            await _push.WaitForAsync(id, Timeout, "Succeeded");
            var view = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
            Assert.That(view.TryGetProperty("approval", out var approval) ? approval.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null));
            await Admin.GetAsync($"/api/v1/deployments/{id}/approval").ExpectAsync(HttpStatusCode.NotFound);
        }
        finally
        {
            await Admin.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = true }).ExpectAsync(HttpStatusCode.OK);
        }

        var audit = await Admin.GetAsync("/api/v1/audit?action=PATCH").ExpectAsync(HttpStatusCode.OK);
        Assert.That(audit.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("detail").GetString()), Does.Contain("requireApproval=false"));
    }

    private Task<string> DeployAsync(HttpClient client, params string[] orgs) => DeployAsync(client, null, orgs);

    private async Task<string> DeployAsync(HttpClient client, DateTimeOffset? start, params string[] orgs) =>
        (await client.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = orgs }, scheduledStartTime = start })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");

    private async Task<HttpClient> UserAsync(string username, params string[] permissions)
    {
        await Admin.PostAsJsonAsync("/api/v1/users", new { username, password = Password, permissions }).ExpectAsync(HttpStatusCode.Created);
        return await Server.LoginAsync(username, Password);
    }

    /// <summary>The approval entries of the audit log about <paramref name="id"/>: (action, username).</summary>
    private async Task<List<(string, string)>> AuditAsync(string id)
    {
        var page = await Admin.GetAsync("/api/v1/audit?action=deployment.&limit=200").ExpectAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("target").GetString() == id).Select(r => (r.Text("action"), r.Text("username")))];
    }

    private async Task<List<(string, string, string, string, int)>> EventsAsync(params string[] ids)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT request_id, event_type, old_status, new_status, job_count FROM push_request_events WHERE request_id = ANY($1) AND event_type IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Select(Number).ToArray() });
        var events = new List<(string, string, string, string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add((ids.Single(i => Number(i) == reader.GetInt64(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        }

        return events;
    }

    private async Task<List<JsonElement>> WebhookBodiesAsync(params string[] ids)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT payload->'body' #>> '{}' FROM outbox WHERE kind = 'webhook' AND payload->'body'->>'requestId' = ANY($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        var bodies = new List<JsonElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            bodies.Add(JsonDocument.Parse(reader.GetString(0)).RootElement.Clone());
        }

        return bodies;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static long Number(string id) => Core.Ids.SalesforceId.TryParseNumber(id, "0DV", out var number) ? number : throw new ArgumentException(id);
}

/// <summary>Approval required by configuration: on from the start, and the API can't turn it off.</summary>
public class ApprovalByConfigurationTests() : ApiFixture("approvals-config", runPushes: false, settings: new Dictionary<string, string?> { ["PushApi:Governance:RequireApproval"] = "true" })
{
    [Test]
    public async Task Configuration_requires_approval_and_the_API_cannot_turn_it_off()
    {
        var settings = await Admin.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
        Assert.That((settings.GetProperty("requireApproval").GetBoolean(), settings.GetProperty("sources").Text("requireApproval")), Is.EqualTo((true, "configuration")));
        var refused = await Admin.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = false, installFromFileEnabled = false }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(refused.Text("detail"), Does.Contain("PushApi__Governance__RequireApproval"));

        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await push.TenantsAsync(1);
        var id = (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { orgKeys = orgs } }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        Assert.That((await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK)).Text("status"), Is.EqualTo("AwaitingApproval"));
    }
}
