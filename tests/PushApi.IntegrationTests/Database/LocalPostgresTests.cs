using Npgsql;
using PushApi.LocalPostgres;

namespace PushApi.IntegrationTests.Database;

[NonParallelizable]
public class LocalPostgresTests
{
    [Test]
    public async Task A_throwaway_cluster_serves_queries_and_is_removed_when_disposed()
    {
        var cluster = await LocalPostgresCluster.StartThrowawayAsync("scratch");
        var directory = cluster.ClusterDirectory;
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_database(), current_setting('fsync')", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.That(reader.GetString(0), Is.EqualTo("scratch"));
            Assert.That(reader.GetString(1), Is.EqualTo("off"), "throwaway clusters trade durability for speed");
        }

        await cluster.DisposeAsync();
        Assert.That(Directory.Exists(directory), Is.False);
    }

    [Test]
    public async Task A_persistent_cluster_keeps_its_data_across_restarts()
    {
        var home = Path.Combine(Path.GetTempPath(), "pushapi-persist-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using (var first = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions { Directory = home }))
            {
                await ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
            }

            await using var second = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions { Directory = home });
            Assert.That(second.Adopted, Is.False, "the first one was stopped");
            Assert.That(await ScalarAsync(second.ConnectionString, "SELECT v FROM kept"), Is.EqualTo("still here"));
            Assert.That(await ScalarAsync(second.ConnectionString, "SELECT current_setting('fsync')"), Is.EqualTo("on"));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Test]
    public async Task A_server_left_running_by_a_killed_process_is_reused_not_doubled()
    {
        var home = Path.Combine(Path.GetTempPath(), "pushapi-orphan-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // The first owner "dies" without stopping its server: it is simply never disposed.
            var orphaned = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions { Directory = home });
            await ExecuteAsync(orphaned.ConnectionString, "CREATE TABLE marker (v int)");

            await using var next = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions { Directory = home });
            Assert.That(next.Adopted, Is.True);
            Assert.That(next.Port, Is.EqualTo(orphaned.Port));
            Assert.That(await ScalarAsync(next.ConnectionString, "SELECT count(*)::text FROM marker"), Is.EqualTo("0"));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Test]
    public void Without_server_binaries_the_error_says_what_to_install_or_configure()
    {
        var e = Assert.Throws<PostgresNotFoundException>(() => PostgresBinaries.Locate(searchPath: "/nonexistent", packageRoot: "/nonexistent"));
        Assert.That(e!.Message, Does.Contain("apt-get install postgresql").And.Contain("ConnectionStrings__PushApi").And.Contain("PUSHAPI_TEST_POSTGRES"));
        Assert.That(e.Message, Does.Not.Contain("\n"), "one line");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string?)await command.ExecuteScalarAsync();
    }
}
