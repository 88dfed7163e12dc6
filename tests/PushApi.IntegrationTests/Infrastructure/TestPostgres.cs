using Npgsql;
using PushApi.LocalPostgres;

namespace PushApi.IntegrationTests;

/// <summary>
/// One PostgreSQL server for the whole test run (a set-up fixture in the root namespace, so it covers every test): a throwaway LocalPostgres cluster, or the server named
/// by <c>PUSHAPI_TEST_POSTGRES</c>. Each test fixture gets a database of its own on it, migrated unless it asks for an empty one.
/// </summary>
[SetUpFixture]
public sealed class TestPostgres
{
    /// <summary>
    /// Migration 0009 gives each installation a random block of package and version ids of its own, so that ids
    /// kept by a package import never collide; every copy of the template would share the template's block.
    /// Each copy draws its own, as its migration would have.
    /// </summary>
    private const string NewIdBlock =
        """
        DO $$
        DECLARE
            block bigint := (1 + floor(random() * 1048575)::bigint) * 4294967296;
        BEGIN
            PERFORM setval(pg_get_serial_sequence('packages', 'id'), block, false);
            PERFORM setval(pg_get_serial_sequence('package_versions', 'id'), block, false);
        END $$
        """;

    private static readonly List<string> Created = [];
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static LocalPostgresCluster? _cluster;
    private static string? _adminConnectionString;
    private static string? _template;

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

    /// <summary>
    /// Creates a database with every migration applied and returns its connection string. It is a copy of a
    /// template migrated once per run: applying the migrations took about a second and a half of each
    /// fixture's set-up, the copy a fifth of that. A server starting on it finds nothing to apply.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var template = await MigratedTemplateAsync();
        var connectionString = await CreateAsync(purpose, $" TEMPLATE \"{template}\"");
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(NewIdBlock, connection);
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }

    /// <summary>Creates an empty database (for the tests of migrations and of a first start) and returns its connection string.</summary>
    public static Task<string> CreateEmptyDatabaseAsync(string purpose) => CreateAsync(purpose, "");

    private static async Task<string> CreateAsync(string purpose, string clause)
    {
        var name = $"t_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 60)];
        await ExecuteAsync($"CREATE DATABASE \"{name}\"{clause}");
        Remember(name);
        return ConnectionStringFor(name);
    }

    private static async Task<string> MigratedTemplateAsync()
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_template is null)
            {
                var name = $"t_template_{Guid.NewGuid():N}";
                await ExecuteAsync($"CREATE DATABASE \"{name}\"");
                Remember(name);

                // Unpooled: a database being copied must have no connection open on it.
                var builder = new NpgsqlConnectionStringBuilder(ConnectionStringFor(name)) { Pooling = false };
                await using (var connection = new NpgsqlConnection(builder.ConnectionString))
                {
                    await connection.OpenAsync();
                    await Core.Persistence.MigrationRunner.ApplyAsync(connection);
                }

                _template = name;
            }

            return _template;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, MaxPoolSize = 40 }.ConnectionString;

    private static void Remember(string database)
    {
        lock (Created)
        {
            Created.Add(database);
        }
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
