using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Governance.Windows;
using PushApi.Core.Push.Status;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Governance;

/// <summary>
/// The claim stays index-driven with maintenance windows, in the style of benchmark P10: a running 100,000-job push
/// in which half the tenants are out of window (their jobs, the lowest ids, waiting), and the plans of the claim and
/// of the window keeper's search read from PostgreSQL. Neither may scan push_jobs, and the claim must not step over
/// the waiting rows.
/// </summary>
public class MaintenanceWindowClaimPlanTests
{
    private const int Jobs = 100_000;
    private const string Window = "{\"timeZone\":\"Asia/Tokyo\",\"days\":[\"Sunday\"],\"start\":\"02:00\",\"end\":\"03:00\"}";
    private PushApiServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // No workers: the push must stay as seeded while its plans are read.
        _server = await PushApiServer.StartOnNewDatabaseAsync("window-plans", settings: new Dictionary<string, string?> { ["PushApi:Execution:Enabled"] = "false" });
        using var admin = await _server.LoginAsync();
        var push = await PushScenario.CreateAsync(admin, _server.ConnectionString);
        Core.Ids.SalesforceId.TryParseNumber(push.NewVersion, "04t", out var version);
        await ExecuteAsync($"""
            INSERT INTO tenants (org_key, org_name, org_type, org_status, maintenance_window, created_at, system_modstamp)
            SELECT '00DW' || lpad(g::text, 11, '0'), 'Tenant ' || g, 'Production', 'Active',
                   CASE WHEN g <= {Jobs / 2} THEN '{Window}'::jsonb END, now(), now()
            FROM generate_series(1, {Jobs}) g;
            INSERT INTO push_requests (package_version_id, status, job_count, start_time, created_at, system_modstamp)
            VALUES ({version}, 'In Progress', {Jobs}, now(), now(), now());
            INSERT INTO push_jobs (request_id, org_key, subscriber_organization_key, status, window_opens_at, created_at, system_modstamp)
            SELECT currval(pg_get_serial_sequence('push_requests', 'id')), '00DW' || lpad(g::text, 11, '0'), '00DW' || lpad(g::text, 11, '0'), 'Pending',
                   CASE WHEN g <= {Jobs / 2} THEN now() + interval '5 days' END, now(), now()
            FROM generate_series(1, {Jobs}) g;
            """);
        // Statistics as autovacuum keeps them. Without any on push_requests (a new database before autovacuum has
        // analyzed it), the planner guesses 5 running requests out of 1,000 and reads push_jobs whole: see docs/benchmarks.md.
        await ExecuteAsync("VACUUM ANALYZE tenants");
        await ExecuteAsync("VACUUM ANALYZE push_requests");
        await ExecuteAsync("VACUUM ANALYZE push_jobs");
    }

    [OneTimeTearDown]
    public void Stop() => _server.Dispose();

    [Test]
    public async Task The_claim_reads_its_partial_index_which_holds_no_waiting_job()
    {
        var plan = await ExplainAsync(JobStatusChanges.ClaimSelect(remote: false).Replace("$1", "200", StringComparison.Ordinal));
        Assert.That(plan, Does.Contain("push_jobs_claim_in_platform"));
        Assert.That(plan, Does.Not.Contain("Seq Scan on push_jobs"));

        // The 200 claimed are found as the first 200 entries of the index: the 50,000 waiting jobs before them are not in it.
        Assert.That(plan, Does.Match(@"Index Scan using push_jobs_claim_in_platform on push_jobs j .*actual time=[0-9.]+ rows=200 "));
        var jobsScan = plan[plan.IndexOf("Index Scan using push_jobs_claim_in_platform", StringComparison.Ordinal)..];
        Assert.That(jobsScan, Does.Not.Contain("Rows Removed by Filter"), "no waiting job is read and thrown away (the running requests are read first, as an array)");
    }

    [Test]
    public async Task The_keeper_finds_due_jobs_through_the_window_indexes()
    {
        var plan = await ExplainAsync(WindowMarks.DueSelect.Replace("$1", "now()", StringComparison.Ordinal));
        Assert.That(plan, Does.Contain("push_jobs_window_waiting").And.Contain("push_jobs_window_closing"));
        Assert.That(plan, Does.Not.Contain("Seq Scan on push_jobs"));
        Assert.That(plan, Does.Match(@"push_jobs_window_waiting on push_jobs j.*actual time=[0-9.]+ rows=0 "), "nothing is due, and nothing waiting is read");
    }

    [Test]
    public async Task One_keeper_pass_wakes_opened_windows_makes_closed_ones_wait_again_and_fails_jobs_past_the_deadline()
    {
        // Tenants W1-W4: a Tokyo window shut now (opens in 2 h), one open now (closes in 1 h), none, and a shut one again.
        var now = TimeProvider.System.GetUtcNow();
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        string Window(TimeSpan from, TimeSpan to) =>
            $"{{\"timeZone\":\"Asia/Tokyo\",\"days\":[\"Sunday\",\"Monday\",\"Tuesday\",\"Wednesday\",\"Thursday\",\"Friday\",\"Saturday\"],\"start\":\"{TimeZoneInfo.ConvertTime(now + from, tokyo):HH:mm}\",\"end\":\"{TimeZoneInfo.ConvertTime(now + to, tokyo):HH:mm}\"}}";
        var (shut, open) = (Window(TimeSpan.FromHours(2), TimeSpan.FromHours(3)), Window(TimeSpan.FromHours(-1), TimeSpan.FromHours(1)));
        var version = await ScalarAsync<long>("SELECT package_version_id FROM push_requests LIMIT 1");
        await ExecuteAsync($"""
            INSERT INTO tenants (org_key, org_name, org_type, org_status, maintenance_window, created_at, system_modstamp) VALUES
                ('00DKEEP00000001', 'W1', 'Production', 'Active', '{shut}', now(), now()),
                ('00DKEEP00000002', 'W2', 'Production', 'Active', '{open}', now(), now()),
                ('00DKEEP00000003', 'W3', 'Production', 'Active', NULL, now(), now()),
                ('00DKEEP00000004', 'W4', 'Production', 'Active', '{shut}', now(), now());
            INSERT INTO push_requests (id, package_version_id, status, job_count, start_time, window_deadline, created_at, system_modstamp) VALUES
                (900001, {version}, 'In Progress', 3, now(), NULL, now(), now()),
                (900002, {version}, 'In Progress', 1, now(), now() - interval '1 second', now(), now());
            INSERT INTO push_jobs (request_id, org_key, subscriber_organization_key, status, window_opens_at, window_closes_at, created_at, system_modstamp) VALUES
                (900001, '00DKEEP00000001', '00DKEEP00000001', 'Pending', NULL, now() - interval '1 minute', now(), now()),
                (900001, '00DKEEP00000002', '00DKEEP00000002', 'Pending', now() - interval '1 minute', NULL, now(), now()),
                (900001, '00DKEEP00000003', '00DKEEP00000003', 'Pending', now() - interval '1 minute', NULL, now(), now()),
                (900002, '00DKEEP00000004', '00DKEEP00000004', 'Pending', now() + interval '2 hours', NULL, now(), now());
            """);

        var pass = await _server.Services.GetRequiredService<WindowKeeper>().RunAsync();
        Assert.That(pass, Is.EqualTo(new WindowKeeperPass(RequestsPastDeadline: 1, Woken: 2)));

        var marks = await MarksAsync();
        Assert.That(marks["00DKEEP00000001"].Opens, Is.EqualTo(now + TimeSpan.FromHours(2)).Within(TimeSpan.FromMinutes(1)), "the closed window makes the job wait again");
        Assert.That(marks["00DKEEP00000001"].Closes, Is.Null);
        Assert.That(marks["00DKEEP00000002"].Opens, Is.Null);
        Assert.That(marks["00DKEEP00000002"].Closes, Is.EqualTo(now + TimeSpan.FromHours(1)).Within(TimeSpan.FromMinutes(1)), "the opened window lets the job run until it closes");
        Assert.That((marks["00DKEEP00000003"].Opens, marks["00DKEEP00000003"].Closes), Is.EqualTo(((DateTimeOffset?)null, (DateTimeOffset?)null)), "no window any more: free to run");
        Assert.That(marks["00DKEEP00000004"].Status, Is.EqualTo("Failed"));
        Assert.That(await ScalarAsync<string>("SELECT e.error_type || ' / ' || e.error_title FROM push_errors e JOIN push_jobs j ON j.id = e.job_id WHERE j.org_key = '00DKEEP00000004'"),
            Is.EqualTo("UnclassifiedError / Window Missed"));
        Assert.That(await ScalarAsync<string>("SELECT status || ' ' || failed_count FROM push_requests WHERE id = 900002"), Is.EqualTo("Failed 1"), "the request rolled up");
    }

    private async Task<Dictionary<string, (string Status, DateTimeOffset? Opens, DateTimeOffset? Closes)>> MarksAsync()
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT org_key, status, window_opens_at, window_closes_at FROM push_jobs WHERE org_key LIKE '00DKEEP%'", connection);
        var marks = new Dictionary<string, (string, DateTimeOffset?, DateTimeOffset?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            marks[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
        }

        return marks;
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> ExplainAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        return await PlanReader.ExplainAndRollBackAsync(connection, transaction, "(ANALYZE, BUFFERS, COSTS OFF)", sql);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }
}
