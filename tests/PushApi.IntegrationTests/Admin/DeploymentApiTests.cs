using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// Mass deployment through the native API: every kind of target, the dry run and its reasons, the
/// one-transaction guarantee, progress, cancel, retry of failures, and the failure report as JSON and CSV.
/// </summary>
[NonParallelizable]
public class DeploymentApiTests() : ApiFixture("deploy")
{
    private PushScenario _push = null!;
    private List<string> _orgs = null!;
    private string _notInstalled = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "deploy");
        _orgs = await _push.TenantsAsync(30);
        _notInstalled = (await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "No package", orgType = "Production", orgStatus = "Active" }).ExpectAsync(HttpStatusCode.Created)).Text("orgKey");
        await Admin.DeleteAsync($"/api/v1/installations/{_orgs[0]}/{_push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{_orgs[1]}", new { orgStatus = "Inactive" }).ExpectAsync(HttpStatusCode.OK);
        await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = _orgs[2], packageVersionId = _push.NewVersion }).ExpectAsync(HttpStatusCode.OK);
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{_orgs[3]}", new { orgType = "Sandbox" }).ExpectAsync(HttpStatusCode.OK);
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{_orgs[4]}", new { orgType = "Sandbox" }).ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_dry_run_says_who_is_left_out_and_why_and_creates_nothing()
    {
        var before = await CountAsync("push_requests");
        var keys = new[] { _orgs[0], _orgs[1], _orgs[2], _notInstalled, "00DnoSuchOrg123", _orgs[5], _orgs[5], "garbage", _orgs[6] };
        var preview = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = keys }, dryRun = true }).ExpectAsync(HttpStatusCode.OK);

        Assert.That((preview.GetProperty("created").GetBoolean(), preview.GetProperty("dryRun").GetBoolean()), Is.EqualTo((false, true)));
        Assert.That(preview.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var report = preview.GetProperty("report");
        Assert.That((report.GetProperty("targeted").GetInt32(), report.GetProperty("eligible").GetInt32()), Is.EqualTo((9, 2)));
        var reasons = report.GetProperty("leftOut").EnumerateArray().ToDictionary(l => l.Text("orgKey") + "/" + l.Text("reason"), l => l.Text("message"));
        Assert.That(reasons.Keys, Is.EquivalentTo(new[]
        {
            $"{_orgs[0]}/Uninstalled", $"{_orgs[1]}/Inactive", $"{_orgs[2]}/AlreadyCurrent", $"{_notInstalled}/NotInstalled",
            "00DnoSuchOrg123/UnknownOrg", $"{_orgs[5]}/Duplicate", "garbage/UnknownOrg",
        }));
        Assert.That(reasons.Values, Has.All.Not.Empty);
        Assert.That(report.GetProperty("leftOutByReason").GetProperty("UnknownOrg").GetInt32(), Is.EqualTo(2));
        Assert.That(await CountAsync("push_requests"), Is.EqualTo(before), "a dry run creates nothing");
    }

    [Test]
    public async Task Deploying_to_a_selection_schedules_one_request_with_a_job_per_eligible_org()
    {
        var created = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = new[] { _orgs[7], _orgs[8], _orgs[0] } } })
            .ExpectAsync(HttpStatusCode.Created);
        var id = created.Text("id");
        Assert.That(id, Does.StartWith("0DV"));
        Assert.That(created.GetProperty("report").GetProperty("eligible").GetInt32(), Is.EqualTo(2));

        var done = await _push.WaitForAsync(id, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"), "the deployment is a push request, readable through the Salesforce API");
        Assert.That((await _push.JobStatusesAsync(id)).Keys, Is.EquivalentTo(new[] { _orgs[7], _orgs[8] }));
        var progress = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((progress.Text("status"), progress.GetProperty("jobs").GetProperty("succeeded").GetInt32(), progress.GetProperty("jobs").GetProperty("remaining").GetInt32()), Is.EqualTo(("Succeeded", 2, 0)));
        Assert.That(progress.GetProperty("cancelable").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Deploying_to_all_or_to_a_filter_resolves_the_subscribers_of_the_package()
    {
        var filter = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { where = "OrgType = 'Sandbox'" }, dryRun = true })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(filter.GetProperty("report").GetProperty("targeted").GetInt32(), Is.EqualTo(2));

        var all = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { all = true }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddYears(3) })
            .ExpectAsync(HttpStatusCode.Created);
        var report = all.GetProperty("report");
        Assert.That(report.GetProperty("targeted").GetInt32(), Is.EqualTo(30), "all = every tenant that has or had the package (not the tenant without it)");
        var leftOut = report.GetProperty("leftOut").EnumerateArray().Select(l => l.Text("orgKey")).ToList();
        Assert.That(leftOut, Is.SupersetOf(new[] { _orgs[0], _orgs[1], _orgs[2] }));
        Assert.That(report.GetProperty("eligible").GetInt32(), Is.EqualTo(30 - leftOut.Count));
        var id = all.Text("id");
        Assert.That((await _push.RequestRecordAsync(id)).Text("Status"), Is.EqualTo("Pending"));
        Assert.That((await _push.JobStatusesAsync(id)).Values, Is.All.EqualTo("Pending"));

        var canceled = await Admin.PostAsync($"/api/v1/deployments/{id}/cancel", null).ExpectAsync(HttpStatusCode.OK);
        Assert.That(canceled.Text("status"), Is.EqualTo("Canceled"));
        await Admin.PostAsync($"/api/v1/deployments/{id}/cancel", null).ExpectAsync(HttpStatusCode.Conflict);

        var jobs = await Admin.GetAsync($"/api/v1/deployments/{id}/jobs?status=Canceled&limit=5").ExpectAsync(HttpStatusCode.OK);
        Assert.That(jobs.GetProperty("items").GetArrayLength(), Is.EqualTo(5));
        var next = await Admin.GetAsync($"/api/v1/deployments/{id}/jobs?status=Canceled&limit=5&after={jobs.Text("next")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(next.GetProperty("items").EnumerateArray().Select(j => j.Text("id")), Has.None.AnyOf(jobs.GetProperty("items").EnumerateArray().Select(j => j.Text("id")).ToArray()));
    }

    [Test]
    public async Task A_deployment_to_all_reports_and_creates_what_listing_the_same_orgs_would()
    {
        // "All" is selected and checked inside the database; a list of keys goes through the DML path's checks.
        var listed = await DryRunReportAsync(new { orgKeys = _orgs });
        var all = await DryRunReportAsync(new { all = true });
        Assert.That((all.GetProperty("targeted").GetInt32(), all.GetProperty("eligible").GetInt32()), Is.EqualTo((listed.GetProperty("targeted").GetInt32(), listed.GetProperty("eligible").GetInt32())));
        Assert.That(all.GetProperty("leftOutByReason").ToString(), Is.EqualTo(listed.GetProperty("leftOutByReason").ToString()));
        Assert.That(LeftOut(all), Is.EquivalentTo(LeftOut(listed)), "the same orgs, reasons and sentences");
        Assert.That(LeftOut(all).Select(l => l.Key), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "by org key");

        var eligible = _orgs.Except(LeftOut(all).Select(l => l.Key)).ToList();
        var created = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { all = true, exceptOrgKeys = new[] { eligible[0] } }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddYears(3) })
            .ExpectAsync(HttpStatusCode.Created);
        var id = created.Text("id");
        Assert.That(created.GetProperty("report").GetProperty("eligible").GetInt32(), Is.EqualTo(eligible.Count - 1));
        Assert.That((await _push.JobStatusesAsync(id)).Keys, Is.EquivalentTo(eligible.Skip(1)), "a job for each eligible org but the deselected one");
        var progress = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(progress.GetProperty("jobs").GetProperty("remaining").GetInt32(), Is.EqualTo(eligible.Count - 1), "counted on the request");
        await Admin.PostAsync($"/api/v1/deployments/{id}/cancel", null).ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_deployment_of_ten_thousand_jobs_has_push_jobs_analysed_before_it_answers()
    {
        // Its own package, so the other tests' orgs and pushes are untouched; scheduled years ahead, then canceled.
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "deploy10k");
        await push.TenantsAsync((int)Core.Persistence.PlannerStatistics.JobsThreshold);
        var analysed = await AnalyseCountAsync();
        var created = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { all = true }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddYears(3) })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That(created.GetProperty("report").GetProperty("eligible").GetInt32(), Is.EqualTo(Core.Persistence.PlannerStatistics.JobsThreshold));
        // Counted apart from autovacuum's analyses, so only the deployment's own ANALYZE moves it.
        Assert.That(await AnalyseCountAsync(), Is.GreaterThan(analysed), "the planner knows of the new jobs when the deployment is answered");
        await Admin.PostAsync($"/api/v1/deployments/{created.Text("id")}/cancel", null).ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task Push_jobs_is_not_analysed_while_a_vacuum_holds_it_and_is_once_it_is_free()
    {
        // A vacuum holds SHARE UPDATE EXCLUSIVE; an ANALYZE that queued behind an autovacuum would get it cancelled.
        await using var holder = new NpgsqlConnection(Server.ConnectionString);
        await holder.OpenAsync();
        await using var analyser = new NpgsqlConnection(Server.ConnectionString);
        await analyser.OpenAsync();
        // Only a guard against hanging: without NOWAIT the ANALYZE would wait for the holder for ever.
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using (var transaction = await holder.BeginTransactionAsync())
        {
            await using (var take = new NpgsqlCommand("LOCK TABLE push_jobs IN SHARE UPDATE EXCLUSIVE MODE", holder, transaction))
            {
                await take.ExecuteNonQueryAsync();
            }

            var analysed = await AnalyseCountAsync();
            Assert.That(await Core.Persistence.PlannerStatistics.RefreshJobsAsync(analyser, Core.Persistence.PlannerStatistics.JobsThreshold, hang.Token), Is.False, "skipped, not queued");
            Assert.That(await AnalyseCountAsync(), Is.EqualTo(analysed));
            await transaction.RollbackAsync();
        }

        Assert.That(await Core.Persistence.PlannerStatistics.RefreshJobsAsync(analyser, Core.Persistence.PlannerStatistics.JobsThreshold, hang.Token), Is.True, "analysed once the table is free");
    }

    [Test]
    public async Task Nothing_eligible_and_bad_input_are_refused_with_problems()
    {
        var before = await CountAsync("push_requests");
        using (var none = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = new[] { _orgs[0], _orgs[2] } } }))
        {
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            var problem = await none.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That(problem.GetProperty("report").GetProperty("leftOut").GetArrayLength(), Is.EqualTo(2));
        }

        await ExpectInvalidAsync(new { packageVersionId = _push.NewVersion }, "targets");
        await ExpectInvalidAsync(new { packageVersionId = _push.NewVersion, targets = new { all = true, orgKeys = new[] { _orgs[5] } } }, "targets");
        await ExpectInvalidAsync(new { packageVersionId = _push.NewVersion, targets = new { where = "OrgType = " } }, "targets.where");
        await ExpectInvalidAsync(new { packageVersionId = "04t000000000000AAA", targets = new { all = true } }, "packageVersionId");
        await ExpectInvalidAsync(new { packageVersionId = "nonsense", targets = new { all = true } }, "packageVersionId");
        Assert.That(await CountAsync("push_requests"), Is.EqualTo(before));
    }

    [Test]
    public async Task A_failure_while_creating_leaves_nothing_behind()
    {
        var before = (await CountAsync("push_requests"), await CountAsync("push_jobs"));
        await ExecuteAsync($"""
            CREATE FUNCTION fail_for_org() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.org_key = '{_orgs[12]}' THEN RAISE EXCEPTION 'injected failure'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER fail_for_org BEFORE INSERT ON push_jobs FOR EACH ROW EXECUTE FUNCTION fail_for_org();
            """);
        try
        {
            using var response = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = new[] { _orgs[11], _orgs[12], _orgs[13] } } });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("injected failure").And.Not.Contain(" at "), "no internals leak");
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER fail_for_org ON push_jobs; DROP FUNCTION fail_for_org()");
        }

        Assert.That((await CountAsync("push_requests"), await CountAsync("push_jobs")), Is.EqualTo(before), "no request and no job of the failed deployment remain");
    }

    [Test]
    public async Task Failures_are_reported_as_JSON_and_CSV_and_retried_in_one_call()
    {
        var orgs = new[] { _orgs[20], _orgs[21], _orgs[22] };
        var created = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = orgs }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddSeconds(3) })
            .ExpectAsync(HttpStatusCode.Created);
        var id = created.Text("id");

        // Both uninstall before the start: their jobs fail when they run.
        await Admin.DeleteAsync($"/api/v1/installations/{_orgs[21]}/{_push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        await Admin.DeleteAsync($"/api/v1/installations/{_orgs[22]}/{_push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        await _push.WaitForAsync(id, TimeSpan.FromSeconds(60), "Succeeded", "Failed");

        var failures = await Admin.GetAsync($"/api/v1/deployments/{id}/failures").ExpectAsync(HttpStatusCode.OK);
        Assert.That(failures.GetProperty("total").GetInt32(), Is.EqualTo(2));
        var group = failures.GetProperty("groups")[0];
        Assert.That((group.Text("errorType"), group.Text("errorTitle"), group.GetProperty("count").GetInt32()), Is.EqualTo(("IneligibleUpgrade", "Package Uninstalled", 2)));
        Assert.That(failures.GetProperty("failures").EnumerateArray().Select(f => f.Text("orgKey")), Is.EquivalentTo(new[] { _orgs[21], _orgs[22] }));
        Assert.That(failures.GetProperty("failures")[0].Text("orgName"), Does.StartWith("Tenant"));

        foreach (var request in new[] { $"/api/v1/deployments/{id}/failures?format=csv", $"/api/v1/deployments/{id}/failures" })
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, request);
            message.Headers.Accept.ParseAdd("text/csv");
            using var csv = await Admin.SendAsync(message);
            Assert.That(csv.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
            var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines[0], Is.EqualTo("OrgKey,OrgName,OrgType,Status,ErrorType,ErrorTitle,ErrorMessage,ErrorDetails"));
            Assert.That(lines.Skip(1).Select(l => l.Split(',')[0].Trim('"')), Is.EquivalentTo(new[] { _orgs[21], _orgs[22] }));
            Assert.That(lines[1], Does.Contain("\"Package Uninstalled\""));
        }

        // Excluding the title leaves nothing to retry; reinstalling one org makes it eligible again.
        await Admin.PostAsJsonAsync($"/api/v1/deployments/{id}/retry", new { excludeTitles = new[] { "Package Uninstalled" } }).ExpectAsync(HttpStatusCode.Conflict);
        await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = _orgs[21], packageVersionId = _push.OldVersion }).ExpectAsync(HttpStatusCode.OK);
        var retry = await Admin.PostAsJsonAsync($"/api/v1/deployments/{id}/retry", new { errorTypes = new[] { "IneligibleUpgrade" } }).ExpectAsync(HttpStatusCode.Created);
        Assert.That(retry.Text("retryOf"), Is.EqualTo(id));
        Assert.That(retry.GetProperty("report").GetProperty("leftOut").EnumerateArray().Select(l => (l.Text("orgKey"), l.Text("reason"))), Is.EqualTo(new[] { (_orgs[22], "Uninstalled") }));
        var retried = retry.Text("id");
        await _push.WaitForAsync(retried, TimeSpan.FromSeconds(60), "Succeeded");
        Assert.That((await _push.JobStatusesAsync(retried)).Keys, Is.EqualTo(new[] { _orgs[21] }));
        Assert.That((await Admin.GetAsync($"/api/v1/deployments/{retried}").ExpectAsync(HttpStatusCode.OK)).Text("retryOf"), Is.EqualTo(id));

        await Admin.GetAsync("/api/v1/deployments/0DV000000000000AAA/failures").ExpectAsync(HttpStatusCode.NotFound);
        var list = await Admin.GetAsync("/api/v1/deployments?limit=2").ExpectAsync(HttpStatusCode.OK);
        Assert.That(list.GetProperty("items").GetArrayLength(), Is.EqualTo(2));
        Assert.That(list.GetProperty("items")[0].Text("id"), Is.EqualTo(retried), "newest first");
    }

    private async Task<JsonElement> DryRunReportAsync(object targets) =>
        (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets, dryRun = true }).ExpectAsync(HttpStatusCode.OK)).GetProperty("report");

    private static List<(string Key, string Reason, string Message)> LeftOut(JsonElement report) =>
        [.. report.GetProperty("leftOut").EnumerateArray().Select(l => (l.Text("orgKey"), l.Text("reason"), l.Text("message")))];

    private async Task ExpectInvalidAsync(object body, string field)
    {
        using var response = await Admin.PostAsJsonAsync("/api/v1/deployments", body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToString());
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    private async Task<long> AnalyseCountAsync()
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'push_jobs'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
