using Npgsql;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Database;

/// <summary>The database refuses a status change that is not a row of the transition table, whoever makes it.</summary>
public class StatusGuardTests
{
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task MigrateAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync("guard"));
        await using var connection = await _dataSource.OpenConnectionAsync();
        await MigrationRunner.ApplyAsync(connection);
        await ExecuteAsync(
            """
            INSERT INTO packages (id, name, package_category, created_at, system_modstamp) VALUES (1, 'Guarded', 'Package', now(), now());
            INSERT INTO package_versions (id, package_id, name, major_version, minor_version, release_state, created_at, system_modstamp) VALUES (1, 1, 'v1', 1, 0, 'Released', now(), now());
            """);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Test]
    public async Task The_database_rule_agrees_with_the_table_on_every_pair()
    {
        foreach (var record in Enum.GetValues<PushRecord>())
        {
            foreach (var from in PushStatuses.All)
            {
                foreach (var to in PushStatuses.All.Where(t => t != from))
                {
                    await using var command = _dataSource.CreateCommand("SELECT push_transition_allowed($1, $2, $3)");
                    command.Parameters.Add(new NpgsqlParameter { Value = record == PushRecord.Request ? "request" : "job" });
                    command.Parameters.Add(new NpgsqlParameter { Value = from.WireName() });
                    command.Parameters.Add(new NpgsqlParameter { Value = to.WireName() });
                    var expected = Enum.GetValues<PushActor>().Any(actor => PushStatusTransitions.IsAllowed(record, from, to, actor));
                    Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(expected), $"{record} {from.WireName()} -> {to.WireName()}");
                }
            }
        }
    }

    [Test]
    public async Task A_job_cannot_skip_from_Created_to_Succeeded()
    {
        var (_, job) = await CreateAsync();
        var e = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync($"UPDATE push_jobs SET status = 'Succeeded' WHERE id = {job}"));
        Assert.That(e!.SqlState, Is.EqualTo(PostgresErrorCodes.CheckViolation));
        Assert.That(e.MessageText, Is.EqualTo("A push job can't go from 'Created' to 'Succeeded'."));
        Assert.That(await StatusAsync("push_jobs", job), Is.EqualTo("Created"), "nothing changed");
    }

    [Test]
    public async Task A_finished_request_cannot_be_started_again()
    {
        var (request, _) = await CreateAsync();
        await ExecuteAsync($"UPDATE push_requests SET status = 'Canceled' WHERE id = {request}");
        var e = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync($"UPDATE push_requests SET status = 'In Progress' WHERE id = {request}"));
        Assert.That(e!.MessageText, Is.EqualTo("A push request can't go from 'Canceled' to 'In Progress'."));
        Assert.That(await StatusAsync("push_requests", request), Is.EqualTo("Canceled"));
    }

    [Test]
    public async Task Legal_changes_and_updates_that_keep_the_status_pass()
    {
        var (request, job) = await CreateAsync();
        await ExecuteAsync(
            $"""
            UPDATE push_requests SET status = 'Pending' WHERE id = {request};
            UPDATE push_jobs SET status = 'Pending' WHERE id = {job};
            UPDATE push_requests SET status = 'In Progress', scheduled_start_time = now() WHERE id = {request};
            UPDATE push_requests SET status = 'In Progress', job_count = 1 WHERE id = {request};
            UPDATE push_jobs SET status = 'In Progress' WHERE id = {job};
            UPDATE push_jobs SET status = 'Pending' WHERE id = {job};
            UPDATE push_jobs SET status = 'In Progress' WHERE id = {job};
            UPDATE push_jobs SET status = 'Failed' WHERE id = {job};
            UPDATE push_requests SET status = 'Failed' WHERE id = {request};
            """);
        Assert.That(await StatusAsync("push_jobs", job), Is.EqualTo("Failed"));
        Assert.That(await StatusAsync("push_requests", request), Is.EqualTo("Failed"));
    }

    private async Task<(long Request, long Job)> CreateAsync()
    {
        await using var command = _dataSource.CreateCommand(
            """
            WITH request AS (
                INSERT INTO push_requests (package_version_id, created_at, system_modstamp) VALUES (1, now(), now()) RETURNING id
            )
            INSERT INTO push_jobs (request_id, org_key, subscriber_organization_key, created_at, system_modstamp)
            SELECT id, '00Dguard0000001', '00Dguard0000001', now(), now() FROM request
            RETURNING request_id, id
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<string> StatusAsync(string table, long id)
    {
        await using var command = _dataSource.CreateCommand($"SELECT status FROM {table} WHERE id = {id}");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
