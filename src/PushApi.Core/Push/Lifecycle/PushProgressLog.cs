using Microsoft.Extensions.Logging;
using Npgsql;
using PushApi.Core.Ids;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push.Lifecycle;

/// <summary>
/// While pushes run, one progress line per running push every <see cref="LoggingOptions.ProgressInterval"/>: done,
/// failed and remaining jobs and the rate since the last line. One instance writes them (whichever takes the
/// transaction advisory lock of the tick), so a cluster logs each push once per interval.
/// </summary>
public sealed partial class PushProgressLog(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<PushProgressLog> logger)
{
    /// <summary>The advisory lock key of a progress tick (any constant distinct from the service's other advisory locks).</summary>
    private const long TickLock = 0x5055_5348_5052_4F47; // "PUSHPROG"

    private readonly Dictionary<long, (int Done, DateTimeOffset At)> _last = [];

    /// <summary>Writes the progress lines of the pushes running now; returns how many it wrote (0 when another instance holds the tick).</summary>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1)", connection))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = TickLock });
            if (await take.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return 0;
            }
        }

        var running = await RunningAsync(connection, cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var push in running)
        {
            var done = push.Succeeded + push.Failed + push.Canceled;
            var (before, since) = _last.TryGetValue(push.Id, out var last) ? last : (0, push.StartedAt ?? now);
            var seconds = (now - since).TotalSeconds;
            var rate = seconds > 0 ? Math.Round(Math.Max(0, done - before) / seconds, 1) : 0;
            Progress(SalesforceId.Format(KeyPrefixes.PackagePushRequest, push.Id), push.Version, done, push.Jobs, push.Succeeded, push.Failed, push.Canceled,
                Math.Max(0, push.Jobs - done), rate);
            _last[push.Id] = (done, now);
        }

        foreach (var gone in _last.Keys.Except(running.Select(r => r.Id)).ToList())
        {
            _last.Remove(gone);
        }

        await transaction.CommitAsync(cancellationToken);
        return running.Count;
    }

    private static async Task<List<RunningPush>> RunningAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT r.id, {Packages.PackageVersion.DisplayNameSql("v", "p")}, r.job_count, r.succeeded_count, r.failed_count, r.canceled_count, r.start_time
            FROM push_requests r
            JOIN package_versions v ON v.id = r.package_version_id
            JOIN packages p ON p.id = v.package_id
            WHERE {PushStatusSql.Is("r.status", PushStatus.InProgress)}
            ORDER BY r.id
            """, connection);
        var running = new List<RunningPush>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            running.Add(new RunningPush(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return running;
    }

    [LoggerMessage(EventId = 3003, EventName = "PushProgress", Level = LogLevel.Information,
        Message = "Push {RequestId} of {Version} running: {Done} of {Jobs} done ({Succeeded} succeeded, {Failed} failed, {Canceled} canceled), {Remaining} remaining, {JobsPerSecond} jobs/s.")]
    private partial void Progress(string requestId, string version, int done, int jobs, int succeeded, int failed, int canceled, int remaining, double jobsPerSecond);

    private sealed record RunningPush(long Id, string Version, int Jobs, int Succeeded, int Failed, int Canceled, DateTimeOffset? StartedAt);
}

/// <summary>Logging settings (configuration section <c>PushApi:Logging</c>).</summary>
public sealed class LoggingOptions
{
    /// <summary><c>simple</c> (default: readable lines) or <c>json</c> (one JSON object a line, for log shippers).</summary>
    public string Format { get; set; } = "simple";

    /// <summary>How often a running push logs its progress.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);
}
