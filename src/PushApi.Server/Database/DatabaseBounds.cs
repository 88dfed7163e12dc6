using System.Globalization;
using Npgsql;
using PushApi.Core.Persistence;

namespace PushApi.Server.Database;

/// <summary>
/// <c>lock_timeout</c> and <c>statement_timeout</c> per kind of work (<see cref="DatabaseWork"/>), from
/// <c>PushApi:Database</c>. A client waits on interactive work, so its bounds are seconds: a lock held
/// elsewhere turns into 503 with Retry-After instead of a hung request. Zero means no bound.
/// </summary>
public sealed class DatabaseBoundsOptions
{
    public TimeSpan InteractiveLockTimeout { get; set; } = TimeSpan.FromSeconds(3);
    public TimeSpan InteractiveStatementTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan BulkLockTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan BulkStatementTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan EngineLockTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan EngineStatementTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>One data source per kind of work; the server sets their bounds as session defaults at connect time.</summary>
public static class DatabaseBounds
{
    /// <summary>The kind (and pool name) of the unkeyed data source: API requests.</summary>
    public const string Interactive = "interactive";

    public static NpgsqlDataSource Build(string connectionString, TimeSpan lockTimeout, TimeSpan statementTimeout, string kind)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Session defaults survive the pool's reset (DISCARD ALL returns to them), so every use of a pooled connection is bounded.
        builder.Options = string.Create(CultureInfo.InvariantCulture, $"{builder.Options} -c lock_timeout={Milliseconds(lockTimeout)} -c statement_timeout={Milliseconds(statementTimeout)}").Trim();
        // The client-side command timeout stays above the server's bound, so the server's error (and its SQLSTATE) arrives first.
        if (statementTimeout > TimeSpan.Zero && builder.CommandTimeout > 0 && builder.CommandTimeout * 1000 <= Milliseconds(statementTimeout))
        {
            builder.CommandTimeout = (int)Math.Ceiling(statementTimeout.TotalSeconds) + 5;
        }

        builder.ApplicationName ??= "PushApi " + kind;
        // Interactive work leaves nothing on its session: its settings and advisory locks are transaction-scoped, and the
        // session-level state (LISTEN, session advisory locks, temporary tables) lives on the engine, bulk and maintenance
        // pools. So its pooled connections skip Npgsql's reset, which with prepared statements is seven statements in front
        // of the next request's query (a rolled-back transaction is still rolled back). P4 measured PostgreSQL's CPU a GET at
        // 270 µs against the raw-Npgsql control's 215.
        if (kind == Interactive)
        {
            builder.NoResetOnClose = true;
        }
        // The engine's and the API's statements repeat (the claim and the completion hundreds of times a push): prepared
        // once per connection, they skip planning, which was a tenth of a 500-job completion.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 3;
        }

        // Named by its kind: the label of its pool in the database metrics. Its commands are traced only inside a traced
        // operation (an HTTP request, a push batch), not the engine's idle polls.
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = kind };
        dataSource.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => System.Diagnostics.Activity.Current is not null)
            .ConfigureBatchFilter(_ => System.Diagnostics.Activity.Current is not null));
        return dataSource.Build();
    }

    public static IServiceCollection AddBoundedDataSources(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseBoundsOptions>().Bind(configuration.GetSection("PushApi:Database"));
        services.AddSingleton(sp => Build(sp, o => (o.InteractiveLockTimeout, o.InteractiveStatementTimeout), Interactive));
        services.AddKeyedSingleton(DatabaseWork.Bulk, (sp, _) => Build(sp, o => (o.BulkLockTimeout, o.BulkStatementTimeout), DatabaseWork.Bulk));
        services.AddKeyedSingleton(DatabaseWork.Engine, (sp, _) => Build(sp, o => (o.EngineLockTimeout, o.EngineStatementTimeout), DatabaseWork.Engine));
        services.AddKeyedSingleton(DatabaseWork.Maintenance, (sp, _) => Build(sp, _ => (TimeSpan.Zero, TimeSpan.Zero), DatabaseWork.Maintenance));
        return services;
    }

    private static NpgsqlDataSource Build(IServiceProvider services, Func<DatabaseBoundsOptions, (TimeSpan Lock, TimeSpan Statement)> bounds, string kind)
    {
        var (lockTimeout, statementTimeout) = bounds(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseBoundsOptions>>().Value);
        return Build(services.GetRequiredService<DatabaseHost>().ConnectionString, lockTimeout, statementTimeout, kind);
    }

    private static long Milliseconds(TimeSpan value) => (long)Math.Max(0, value.TotalMilliseconds);
}
