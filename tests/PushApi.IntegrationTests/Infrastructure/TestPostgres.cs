using Npgsql;
using PushApi.LocalPostgres;

namespace PushApi.IntegrationTests;

/// <summary>
/// One PostgreSQL server for the whole test run (a set-up fixture in the root namespace, so it covers every test): a throwaway LocalPostgres cluster, or the server named
/// by <c>PUSHAPI_TEST_POSTGRES</c>. Each test fixture gets a database of its own on it.
/// </summary>
[SetUpFixture]
public sealed class TestPostgres
{
    private static LocalPostgresCluster? _cluster;
    private static string? _adminConnectionString;
    private static readonly List<string> Created = [];

    /// <summary>A connection string to the server's maintenance database, for creating test databases.</summary>
    public static string AdminConnectionString => _adminConnectionString ?? throw new InvalidOperationException("The test PostgreSQL has not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Infrastructure.ClassDurationsAttribute.Start();
        var external = Environment.GetEnvironmentVariable("PUSHAPI_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            _adminConnectionString = external;
            return;
        }

        _cluster = await LocalPostgresCluster.StartThrowawayAsync(database: "postgres");
        _adminConnectionString = _cluster.ConnectionStringFor("postgres");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Infrastructure.ClassDurationsAttribute.Write();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            return;
        }

        // On an external server, drop what the run created.
        foreach (var database in Created)
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"t_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 60)];
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        lock (Created)
        {
            Created.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, MaxPoolSize = 40 }.ConnectionString;
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
