using System.Globalization;
using Npgsql;

namespace PushApi.IntegrationTests.Reliability;

/// <summary>
/// What the reliability tests read from the database, from outside the service: a trigger records every
/// job status change (so the whole history is checked, not just the end), and the request's progress is
/// sampled on connections of their own (no pool), which a restart or a terminated backend cannot break for
/// long. Its connections are named <see cref="ApplicationName"/>, so a test that terminates the service's
/// connections can spare them.
/// </summary>
public sealed class JobLedger(string connectionString)
{
    public const string ApplicationName = "reliability-test";

    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = ApplicationName }.ConnectionString;

    /// <summary>The database without a pool, under <see cref="ApplicationName"/>: for checks that must work after a restart.</summary>
    public string ConnectionString => _connectionString;

    /// <summary>Installs the history trigger (once per database).</summary>
    public Task InstallAsync() => ExecuteAsync(
        """
        CREATE TABLE IF NOT EXISTS job_history (id bigserial PRIMARY KEY, job_id bigint NOT NULL, old_status text NOT NULL, new_status text NOT NULL, attempt int NOT NULL, owner text);
        CREATE OR REPLACE FUNCTION log_job_status() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status IS DISTINCT FROM OLD.status THEN
                INSERT INTO job_history (job_id, old_status, new_status, attempt, owner) VALUES (NEW.id, OLD.status, NEW.status, NEW.attempt, coalesce(NEW.lease_owner, OLD.lease_owner));
            END IF;
            RETURN NEW;
        END $$;
        DROP TRIGGER IF EXISTS job_history ON push_jobs;
        CREATE TRIGGER job_history AFTER UPDATE ON push_jobs FOR EACH ROW EXECUTE FUNCTION log_job_status();
        """);

    /// <summary>The request's succeeded counter, or null while the database cannot be reached.</summary>
    public async Task<long?> TrySucceededAsync(string request)
    {
        try
        {
            return await ScalarAsync($"SELECT succeeded_count FROM push_requests WHERE id = {Number(request)}");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Every job of the request ended Succeeded, completed exactly once, through legal transitions only.</summary>
    public async Task AssertEveryJobSucceededOnceAsync(string request)
    {
        var id = Number(request);
        Assert.That(await ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {id} AND status <> 'Succeeded'"), Is.Zero, "every job ended Succeeded");
        Assert.That(await ScalarAsync($"SELECT count(*) FROM job_history h JOIN push_jobs j ON j.id = h.job_id WHERE j.request_id = {id} AND h.new_status = 'Failed'"), Is.Zero, "no job failed on the way");
        Assert.That(await ScalarAsync($"SELECT count(*) FROM (SELECT job_id FROM job_history h JOIN push_jobs j ON j.id = h.job_id WHERE j.request_id = {id} AND h.new_status IN ('Succeeded', 'Failed', 'Canceled') GROUP BY job_id HAVING count(*) > 1) twice"),
            Is.Zero, "no job completed twice");
        var illegal = await ScalarsAsync($"SELECT DISTINCT old_status || ' -> ' || new_status FROM job_history h JOIN push_jobs j ON j.id = h.job_id WHERE j.request_id = {id} AND NOT push_transition_allowed('job', old_status, new_status)");
        Assert.That(illegal, Is.Empty, "only legal transitions happened");
    }

    /// <summary>How many of the request's jobs went back from In Progress to Pending (handed back or re-claimed).</summary>
    public Task<long> HandedBackAsync(string request) =>
        ScalarAsync($"SELECT count(*) FROM job_history h JOIN push_jobs j ON j.id = h.job_id WHERE j.request_id = {Number(request)} AND h.old_status = 'In Progress' AND h.new_status = 'Pending'");

    public static long Number(string id)
    {
        Core.Ids.SalesforceId.TryParseNumber(id, "0DV", out var number);
        return number;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async Task<List<string>> ScalarsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return values;
    }
}
