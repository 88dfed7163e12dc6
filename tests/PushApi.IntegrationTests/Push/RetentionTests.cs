using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Ids;
using PushApi.Core.Retention;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Push;

/// <summary>
/// Retention of finished pushes' jobs and errors (docs/ops/retention.md) on a server that runs pushes and whose own
/// purger is off, so the purges these tests start are the only ones. Requests are made old by moving their end time
/// back; every test purges what it made old to the end, so the next one starts with nothing due.
/// </summary>
public class RetentionTests() : ApiFixture("retention", settings: new Dictionary<string, string?> { ["PushApi:Retention:Enabled"] = "false" })
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly RetentionOptions Defaults = new();

    private PushRetention Retention => Server.Services.GetRequiredService<PushRetention>();

    [Test]
    public async Task Old_requests_jobs_move_to_the_history_in_batches_and_the_request_still_answers_with_its_counts()
    {
        var (_, request) = await FinishedPushAsync(jobs: 250, failing: 5);
        await AgeAsync(request, days: 200);
        var before = await SoqlCountsAsync(request);
        Assert.That(before, Is.EqualTo((250, 245, 5)));
        Assert.That(await ErrorsAsync(request), Is.EqualTo(5), "each failed job has its error");

        Assert.That(await Retention.EnrolAsync(Now() - Defaults.Age), Is.EqualTo(1));
        var batches = new List<RetentionBatch>();
        while (await Retention.MoveBatchAsync(100) is { } batch)
        {
            batches.Add(batch);
            Assert.That(await SoqlCountsAsync(request), Is.EqualTo(before), "mid-purge, the job counts through SOQL stay the same");
        }

        Assert.That(batches.Select(b => b.Jobs), Is.EqualTo(new long[] { 100, 100, 50, 0 }), "100 jobs a transaction, then one that finds none and finishes");
        Assert.That(batches.Select(b => b.RequestId).Distinct(), Is.EqualTo(new[] { request }));
        Assert.That(batches.Sum(b => b.Errors), Is.EqualTo(5));
        Assert.That(await LiveJobsAsync(request), Is.Zero, "no job of the request is left in push_jobs");
        Assert.That(await ErrorsAsync(request), Is.Zero);

        Assert.That(await SoqlCountsAsync(request), Is.EqualTo(before), "the sf CLI's counts (Count(Id) by status) still answer");
        var progress = await Admin.GetAsync($"/api/v1/deployments/{request}").ExpectAsync(HttpStatusCode.OK);
        var jobs = progress.GetProperty("jobs");
        Assert.That((jobs.GetProperty("total").GetInt32(), jobs.GetProperty("succeeded").GetInt32(), jobs.GetProperty("failed").GetInt32()), Is.EqualTo((250, 245, 5)));
        Assert.That(progress.Text("status"), Is.EqualTo("Succeeded"));
        var failures = await Admin.GetAsync($"/api/v1/deployments/{request}/failures").ExpectAsync(HttpStatusCode.OK);
        Assert.That(failures.GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("count").GetInt32()), Is.EqualTo(5), "failure groups kept from before the purge");
        Assert.That(await QueryTotalAsync($"SELECT Id FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId = '{request}'"), Is.Zero);

        Assert.That(await Retention.RunAsync(Defaults), Is.EqualTo(RetentionPass.None), "a second pass finds nothing to do");
    }

    [Test]
    public async Task A_purged_deployment_still_lists_its_jobs_and_retries_its_failed_tenants()
    {
        var (push, request) = await FinishedPushAsync(jobs: 12, failing: 3);
        var failedJob = (await Admin.GetAsync($"/api/v1/deployments/{request}/jobs?status=Failed").ExpectAsync(HttpStatusCode.OK))
            .GetProperty("items")[0].Text("id");
        await AgeAsync(request, days: 181);
        Assert.That((await Retention.RunAsync(Defaults)).JobsMoved, Is.EqualTo(12));

        var jobs = await Admin.GetAsync($"/api/v1/deployments/{request}/jobs").ExpectAsync(HttpStatusCode.OK);
        Assert.That(jobs.GetProperty("items").GetArrayLength(), Is.EqualTo(12), "the console's job list reads the history");
        var failed = (await Admin.GetAsync($"/api/v1/deployments/{request}/jobs?status=Failed").ExpectAsync(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(j => j.Text("orgKey")).ToList();
        Assert.That(failed, Has.Count.EqualTo(3));
        var job = await Admin.GetAsync($"/api/v1/deployments/{request}/jobs/{failedJob}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(job.GetProperty("errors").GetArrayLength(), Is.Zero, "a moved job keeps its status and times, not its errors");
        var record = await Admin.GetAsync($"/services/data/v62.0/sobjects/PackagePushJob/{failedJob}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(record.Text("Status"), Is.EqualTo("Failed"));

        foreach (var org in failed)
        {
            using var reinstall = await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = org, packageVersionId = push.OldVersion });
            Assert.That(reinstall.IsSuccessStatusCode, Is.True, await reinstall.Content.ReadAsStringAsync());
        }

        var retry = await Admin.PostAsJsonAsync($"/api/v1/deployments/{request}/retry", new { dryRun = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((retry.GetProperty("report").GetProperty("targeted").GetInt32(), retry.GetProperty("report").GetProperty("eligible").GetInt32()), Is.EqualTo((3, 3)));
    }

    [Test]
    public async Task Running_and_recent_requests_are_left_alone()
    {
        var (push, recent) = await FinishedPushAsync(jobs: 20, failing: 0);
        var waiting = await push.RequestAsync(Now().AddDays(30));
        await push.AddJobsAsync(waiting, await push.TenantsAsync(20));
        await push.ScheduleAsync(waiting);
        // A live request is never due, whatever its dates say.
        await ExecuteAsync("UPDATE push_requests SET created_at = created_at - interval '400 days', system_modstamp = system_modstamp - interval '400 days' WHERE id = $1", waiting);
        await AgeAsync(recent, days: 170);

        Assert.That(await Retention.RunAsync(Defaults), Is.EqualTo(RetentionPass.None));
        Assert.That(await LiveJobsAsync(recent), Is.EqualTo(20));
        Assert.That(await LiveJobsAsync(waiting), Is.EqualTo(20));

        await AdminCancelAsync(waiting);
    }

    [Test]
    public async Task A_purge_in_tiny_batches_does_not_hold_up_a_running_push()
    {
        var (push, old) = await FinishedPushAsync(jobs: 1000, failing: 10);
        await AgeAsync(old, days: 365);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, await push.TenantsAsync(1000));

        var purge = Retention.RunAsync(new RetentionOptions { BatchSize = 1 });
        await push.ScheduleAsync(request);
        var done = await push.WaitForAsync(request, Patience, "Succeeded", "Failed");
        var purgedMeanwhile = 1000 - await LiveJobsAsync(old);

        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        await push.AssertCountersMatchAsync(request);
        var pass = await purge;
        Assert.That(pass.JobsMoved, Is.EqualTo(1000));
        Assert.That(purgedMeanwhile, Is.GreaterThan(0), "the purge was running while the push ran");
        Assert.That(await LiveJobsAsync(request), Is.EqualTo(1000), "the new push's jobs stay");
    }

    [Test]
    public async Task Two_purgers_at_once_share_the_work_without_counting_twice()
    {
        var (_, first) = await FinishedPushAsync(jobs: 300, failing: 3);
        var (_, second) = await FinishedPushAsync(jobs: 300, failing: 0);
        await AgeAsync(first, days: 200);
        await AgeAsync(second, days: 200);

        var settings = new RetentionOptions { BatchSize = 7 };
        var passes = await Task.WhenAll(Retention.RunAsync(settings), Retention.RunAsync(settings));

        Assert.That(passes.Sum(p => p.JobsMoved), Is.EqualTo(600));
        Assert.That(passes.Sum(p => p.ErrorsRemoved), Is.EqualTo(3));
        Assert.That(passes.Sum(p => p.RequestsFinished), Is.EqualTo(2));
        foreach (var request in (string[])[first, second])
        {
            Assert.That(await LiveJobsAsync(request), Is.Zero);
            Assert.That(await ScalarAsync("SELECT count(*) FROM push_job_history WHERE request_id = $1", request), Is.EqualTo(300));
            Assert.That(await ScalarAsync("SELECT jobs_moved FROM push_request_retention WHERE request_id = $1 AND finished_at IS NOT NULL", request), Is.EqualTo(300));
            Assert.That((await SoqlCountsAsync(request)).Total, Is.EqualTo(300));
        }
    }

    [Test]
    public async Task Turned_off_it_removes_nothing()
    {
        var (_, request) = await FinishedPushAsync(jobs: 10, failing: 2);
        await AgeAsync(request, days: 1000);

        Assert.That(await Retention.RunAsync(new RetentionOptions { Enabled = false }), Is.EqualTo(RetentionPass.None));
        Assert.That(await LiveJobsAsync(request), Is.EqualTo(10));
        Assert.That(await ErrorsAsync(request), Is.EqualTo(2));
        Assert.That(await ScalarAsync("SELECT count(*) FROM push_request_retention WHERE request_id = $1", request), Is.Zero);

        await Retention.RunAsync(Defaults); // the next test starts with nothing due
    }

    [Test]
    public async Task A_second_instance_with_retention_on_purges_in_the_background_from_its_start()
    {
        var (_, request) = await FinishedPushAsync(jobs: 40, failing: 1);
        await AgeAsync(request, days: 200);

        using var other = PushApiServer.Start(Server.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["PushApi:Execution:Enabled"] = "false",
            ["PushApi:Retention:BatchSize"] = "10",
        });
        var deadline = Now() + Patience;
        while (await LiveJobsAsync(request) > 0 && Now() < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(await LiveJobsAsync(request), Is.Zero, "the other instance's RetentionService purged the request");
        Assert.That(await ScalarAsync("SELECT jobs_moved FROM push_request_retention WHERE request_id = $1 AND finished_at IS NOT NULL", request), Is.EqualTo(40));
        Assert.That((await SoqlCountsAsync(request)).Failed, Is.EqualTo(1));
    }

    private static DateTimeOffset Now() => TimeProvider.System.GetUtcNow();

    /// <summary>A push of <paramref name="jobs"/> in-platform jobs run to its end; <paramref name="failing"/> tenants uninstall the package before it runs, so their jobs fail with an error.</summary>
    private async Task<(PushScenario Push, string Request)> FinishedPushAsync(int jobs, int failing)
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await push.TenantsAsync(jobs);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        foreach (var org in orgs.Take(failing))
        {
            using var response = await Admin.DeleteAsync($"/api/v1/installations/{org}/{push.PackageId}");
            Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        }

        await push.ScheduleAsync(request);
        await push.WaitForAsync(request, Patience, "Succeeded", "Failed");
        return (push, request);
    }

    private Task AgeAsync(string request, int days) =>
        ExecuteAsync($"UPDATE push_requests SET end_time = end_time - interval '{days} days' WHERE id = $1", request);

    private async Task AdminCancelAsync(string request)
    {
        using var response = await Admin.PatchAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", JsonContent.Create(new { Status = "Canceled" }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    /// <summary>The counts the sf CLI reads for a request: Count(Id) of its jobs, of the succeeded and of the failed ones.</summary>
    private async Task<(int Total, int Succeeded, int Failed)> SoqlCountsAsync(string request)
    {
        var where = $"FROM PackagePushJob WHERE PackagePushRequestId = '{request}'";
        return (await AggregateAsync($"SELECT Count(Id) {where}"), await AggregateAsync($"SELECT Count(Id) {where} AND Status = 'Succeeded'"),
            await AggregateAsync($"SELECT Count(Id) {where} AND Status = 'Failed'"));
    }

    private async Task<int> AggregateAsync(string soql)
    {
        var result = await Admin.GetAsync($"/services/data/v62.0/query?q={Uri.EscapeDataString(soql)}").ExpectAsync(HttpStatusCode.OK);
        return result.GetProperty("records")[0].GetProperty("expr0").GetInt32();
    }

    private async Task<int> QueryTotalAsync(string soql) =>
        (await Admin.GetAsync($"/services/data/v62.0/query?q={Uri.EscapeDataString(soql)}").ExpectAsync(HttpStatusCode.OK)).GetProperty("totalSize").GetInt32();

    private Task<long> LiveJobsAsync(string request) => ScalarAsync("SELECT count(*) FROM push_jobs WHERE request_id = $1", request);

    private Task<long> ErrorsAsync(string request) =>
        ScalarAsync("SELECT count(*) FROM push_errors e JOIN push_jobs j ON j.id = e.job_id WHERE j.request_id = $1", request);

    private async Task<long> ScalarAsync(string sql, string request)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Number(request) });
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task ExecuteAsync(string sql, string request)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Number(request) });
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
    }

    private static long Number(string request) => SalesforceId.TryParseNumber(request, KeyPrefixes.PackagePushRequest, out var id) ? id : throw new ArgumentException(request);
}
