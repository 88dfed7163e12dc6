using Microsoft.Extensions.Options;
using PushApi.LocalPostgres;
using PushApi.Server.Hosting;

namespace PushApi.Server.Database;

/// <summary>
/// Where the database is: the server named by <c>ConnectionStrings:PushApi</c>, or else the embedded
/// PostgreSQL cluster in the data directory, started here and stopped when the service stops.
/// </summary>
public sealed class DatabaseHost(IConfiguration configuration, IOptions<PushApiOptions> options, ILogger<DatabaseHost> logger) : IAsyncDisposable
{
    private LocalPostgresCluster? _cluster;
    private string? _connectionString;

    public string ConnectionString => _connectionString
        ?? throw new InvalidOperationException("The database has not been started; call StartAsync first.");

    /// <summary>The embedded cluster, when the service runs one.</summary>
    public LocalPostgresCluster? EmbeddedCluster => _cluster;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_connectionString is not null)
        {
            return;
        }

        var configured = configuration.GetConnectionString("PushApi");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _connectionString = configured;
            return;
        }

        var directory = options.Value.DataDirectoryPath;
        logger.LogInformation("No ConnectionStrings__PushApi: using the embedded PostgreSQL in {DataDirectory}.", directory);
        _cluster = await LocalPostgresCluster.StartAsync(
            new LocalPostgresOptions { Directory = directory, Log = line => logger.LogInformation("{PostgresStep}", line) },
            cancellationToken);
        _connectionString = _cluster.ConnectionString;
        ConnectionFile.Write(directory, _connectionString);
        logger.LogInformation("Its connection URI (for pg_dump, psql) is in {ConnectionFile}.", ConnectionFile.PathIn(directory));
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
