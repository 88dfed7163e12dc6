namespace PushApi.Core.Persistence;

/// <summary>
/// Kinds of database work, each with its own data source and so its own <c>lock_timeout</c> and
/// <c>statement_timeout</c>. The unkeyed <see cref="Npgsql.NpgsqlDataSource"/> is interactive work (API
/// requests: a client waits, so a lock held outside answers 503 within seconds); a use case that does
/// longer work asks for its kind with <c>[FromKeyedServices(DatabaseWork.X)]</c>.
/// </summary>
public static class DatabaseWork
{
    /// <summary>The push engine: workers, starts, reconciliation, the window keeper and the rollout supervisor.</summary>
    public const string Engine = "engine";

    /// <summary>Work on many rows at once: Bulk API ingest and query, tenant imports, package imports, deployment creation.</summary>
    public const string Bulk = "bulk";

    /// <summary>Migrations and Quartz's own store: no bound beyond the server's.</summary>
    public const string Maintenance = "maintenance";
}
