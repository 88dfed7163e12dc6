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
        Assert.That(plan, Does.Not.Contain("Rows Removed by Filter"));
    }

    [Test]
    public async Task The_keeper_finds_due_jobs_through_the_window_indexes()
    {
        var plan = await ExplainAsync(WindowMarks.DueSelect.Replace("$1", "now()", StringComparison.Ordinal));
        Assert.That(plan, Does.Contain("push_jobs_window_waiting").And.Contain("push_jobs_window_closing"));
        Assert.That(plan, Does.Not.Contain("Seq Scan on push_jobs"));
        Assert.That(plan, Does.Match(@"push_jobs_window_waiting on push_jobs j.*actual time=[0-9.]+ rows=0 "), "nothing is due, and nothing waiting is read");
    }

    private async Task<string> ExplainAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, connection, transaction);
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync();
        var plan = string.Join('\n', lines);
        await TestContext.Out.WriteLineAsync(plan);
        return plan;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }
}
