using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Database;

/// <summary>
/// The claim's plan in the shape of benchmark P10: a running 100,000-job push with no maintenance windows (so the claim
/// index and the index (request_id, status, id) of migration 0024 would read the same rows) next to 400,000 finished jobs.
/// In the 2026-12-07 full run the planner took 0024's index: the two cost the same to within 1 %, and which one won
/// depended on statistics and on the claim index's size. The claim must use its own index, and by a clear margin.
/// </summary>
public partial class ClaimPlanTests
{
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync("claim-plan"));
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await MigrationRunner.ApplyAsync(connection);
        }

        await ExecuteAsync(
            """
            INSERT INTO packages (id, name, package_category, created_at, system_modstamp) VALUES (1, 'Claimed', 'Package', now(), now());
            INSERT INTO package_versions (id, package_id, name, major_version, minor_version, release_state, created_at, system_modstamp) VALUES (1, 1, 'v1', 1, 0, 'Released', now(), now());
            INSERT INTO push_requests (id, package_version_id, status, job_count, created_at, system_modstamp) VALUES
                (1, 1, 'Succeeded', 400000, now(), now()), (2, 1, 'In Progress', 100000, now(), now());
            INSERT INTO push_jobs (request_id, org_key, subscriber_organization_key, status, created_at, system_modstamp)
            SELECT 1, 'H' || g, 'H' || g, 'Succeeded', now(), now() FROM generate_series(1, 400000) g;
            INSERT INTO push_jobs (request_id, org_key, subscriber_organization_key, status, created_at, system_modstamp)
            SELECT 2, 'P' || g, 'P' || g, 'Pending', now(), now() FROM generate_series(1, 100000) g;
            """);
        await ExecuteAsync("VACUUM ANALYZE push_requests");
        await ExecuteAsync("VACUUM ANALYZE push_jobs");
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Test]
    public async Task The_claim_reads_its_index_and_every_other_plan_costs_several_times_more()
    {
        var claim = JobStatusChanges.ClaimSelect(remote: false).Replace("$1", "200", StringComparison.Ordinal);
        var plan = await ExplainAsync(claim, dropClaimIndex: false);
        Assert.That(plan, Does.Contain("Index Scan using push_jobs_claim_in_platform on push_jobs j"));
        Assert.That(plan, Does.Not.Contain("Seq Scan on push_jobs"));

        // A near tie lets the statistics or the claim index's size decide (P10, 2026-12-07: 0024's index, within 1 %).
        var without = await ExplainAsync(claim, dropClaimIndex: true);
        Assert.That(TotalCost(without), Is.GreaterThan(5 * TotalCost(plan)), $"the best plan without the claim index:\n{without}");
    }

    /// <summary>The estimated total cost of the plan's top node.</summary>
    private static double TotalCost(string plan) => double.Parse(TopCost().Match(plan).Groups["total"].Value, CultureInfo.InvariantCulture);

    /// <summary>The claim's EXPLAIN (estimates only), in a transaction rolled back after, without the claim index if asked.</summary>
    private async Task<string> ExplainAsync(string sql, bool dropClaimIndex)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (dropClaimIndex)
        {
            await using var drop = new NpgsqlCommand("DROP INDEX push_jobs_claim_in_platform", connection, transaction);
            await drop.ExecuteNonQueryAsync();
        }

        return await PlanReader.ExplainAndRollBackAsync(connection, transaction, "", sql);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.CommandTimeout = 300;
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"^\S.*?\(cost=[0-9.]+\.\.(?<total>[0-9.]+) ")]
    private static partial Regex TopCost();
}
