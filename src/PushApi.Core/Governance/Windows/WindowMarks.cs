using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;
using static PushApi.Core.Push.Status.PushStatus;

namespace PushApi.Core.Governance.Windows;

/// <summary>
/// Marks Pending jobs of tenants with a maintenance window, set-based: <c>window_opens_at</c> when the window is
/// closed (the job waits, outside the claim index, until then) or <c>window_closes_at</c> when it is open (the
/// keeper makes the job wait again then). Marks are not status changes: a waiting job is Pending all along.
/// Each pass reads the distinct windows of the jobs concerned, works out in C# (<see cref="WindowSchedule"/>)
/// where each window stands now, and writes every job's mark in one statement joined on the window.
/// </summary>
public static class WindowMarks
{
    /// <summary>The windows (as stored, <c>''</c> for a tenant that no longer has one) of a started request's Pending jobs. <c>$1</c> the request.</summary>
    private static readonly string StartedWindows =
        $"""
        SELECT DISTINCT t.maintenance_window::text
        FROM push_requests r
        JOIN tenants t ON t.maintenance_window IS NOT NULL
        JOIN push_jobs j ON j.request_id = r.id AND j.org_key = t.org_key AND {PushStatusSql.Is("j.status", Pending)}
        WHERE r.id = $1 AND r.respect_windows
        """;

    /// <summary>Marks a started request's jobs by their tenants' windows. <c>$1</c> the request, <c>$2</c>–<c>$4</c> windows, open, until.</summary>
    private static readonly string MarkStarted =
        $"""
        UPDATE push_jobs j
        SET window_opens_at = CASE WHEN w.open THEN NULL ELSE w.until END,
            window_closes_at = CASE WHEN w.open THEN w.until END
        FROM tenants t JOIN unnest($2::text[], $3::boolean[], $4::timestamptz[]) AS w(def, open, until) ON t.maintenance_window::text = w.def
        WHERE t.maintenance_window IS NOT NULL AND j.request_id = $1 AND j.org_key = t.org_key AND {PushStatusSql.Is("j.status", Pending)}
        """;

    /// <summary>Pending jobs of running requests whose mark is due (<c>$1</c> now): waiting ones whose window opened, open ones whose window closed.</summary>
    private static readonly string Due =
        $"""
        SELECT d.id, coalesce(t.maintenance_window::text, '') AS def
        FROM push_requests r
        CROSS JOIN LATERAL (
            SELECT j.id, j.org_key FROM push_jobs j WHERE j.request_id = r.id AND {PushStatusSql.Is("j.status", Pending)} AND j.window_opens_at <= $1
            UNION ALL
            SELECT j.id, j.org_key FROM push_jobs j WHERE j.request_id = r.id AND {PushStatusSql.Is("j.status", Pending)} AND j.window_closes_at <= $1
        ) d
        LEFT JOIN tenants t ON t.org_key = d.org_key
        WHERE {PushStatusSql.Is("r.status", InProgress)}
        """;

    private static readonly string DueWindows = $"SELECT DISTINCT def FROM ({Due}) due";

    /// <summary>Marks the due jobs again; jobs another transaction holds are left for the next pass. Returns how many became claimable.</summary>
    private static readonly string MarkDue =
        $"""
        WITH due AS ({Due}), locked AS (
            SELECT j.id, due.def FROM push_jobs j JOIN due ON due.id = j.id ORDER BY j.id FOR UPDATE OF j SKIP LOCKED
        ), marked AS (
            UPDATE push_jobs j
            SET window_opens_at = CASE WHEN w.open THEN NULL ELSE w.until END,
                window_closes_at = CASE WHEN w.open THEN w.until END
            FROM locked JOIN unnest($2::text[], $3::boolean[], $4::timestamptz[]) AS w(def, open, until) ON w.def = locked.def
            WHERE j.id = locked.id AND {PushStatusSql.Is("j.status", Pending)}
            RETURNING w.open
        )
        SELECT count(*) FILTER (WHERE open), CASE WHEN bool_or(open) THEN pg_notify('{JobStatusChanges.WorkChannel}', '') END FROM marked
        """;

    /// <summary>
    /// Makes the keeper look again at the Pending jobs, in running requests that respect windows, of tenants whose
    /// window just changed: each is marked due now (<c>window_opens_at</c> = now), so it is not claimed until the next
    /// keeper pass marks it by the tenant's new window (or frees it when there is none). <paramref name="tenants"/> is
    /// SQL giving the tenants' org keys as <c>org_key</c>; <c>{0}</c> is now (EF's raw SQL parameters). Jobs another
    /// transaction holds (being claimed) are skipped.
    /// </summary>
    public static string RecheckTenants(string tenants) =>
        $$"""
        UPDATE push_jobs j SET window_opens_at = {0}, window_closes_at = NULL
        FROM (
            SELECT j.id FROM push_requests r
            JOIN push_jobs j ON j.request_id = r.id AND {{PushStatusSql.Is("j.status", Pending)}}
            WHERE {{PushStatusSql.Is("r.status", InProgress)}} AND r.respect_windows AND j.org_key IN ({{tenants}})
            ORDER BY j.id
            FOR UPDATE OF j SKIP LOCKED
        ) changed
        WHERE j.id = changed.id
        """;

    /// <summary>Marks the jobs of a request that is starting, in its starting transaction (before any worker can claim them).</summary>
    public static async Task MarkStartedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var windows = await ReadWindowsAsync(connection, transaction, StartedWindows, SqlParameters.Value(requestId), cancellationToken);
        if (windows.Count == 0)
        {
            return;
        }

        await using var mark = new NpgsqlCommand(MarkStarted, connection, transaction);
        mark.Parameters.Add(SqlParameters.Value(requestId));
        AddStates(mark, windows, now);
        await mark.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Wakes the waiting jobs whose window opened and makes wait those whose window closed. Returns how many woke.</summary>
    public static async Task<int> MarkDueAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var windows = await ReadWindowsAsync(connection, null, DueWindows, new NpgsqlParameter { Value = now }, cancellationToken);
        if (windows.Count == 0)
        {
            return 0;
        }

        await using var mark = new NpgsqlCommand(MarkDue, connection);
        mark.Parameters.Add(new NpgsqlParameter { Value = now });
        AddStates(mark, windows, now);
        return (int)(long)(await mark.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The SQL of the keeper's search for due jobs with <c>$1</c> now, for the EXPLAIN check.</summary>
    public static string DueSelect => Due;

    private static async Task<List<string>> ReadWindowsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, NpgsqlParameter parameter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(parameter);
        var windows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            windows.Add(reader.GetString(0));
        }

        return windows;
    }

    /// <summary>Where each window stands now: <c>$2</c> the windows, <c>$3</c> open or not, <c>$4</c> until when. No window (<c>''</c>), or one that can't be read, is always open.</summary>
    private static void AddStates(NpgsqlCommand command, List<string> windows, DateTimeOffset now)
    {
        var states = windows.Select(w => MaintenanceWindow.FromJson(w.Length == 0 ? null : w) is { } window ? window.StateAt(now) : new WindowState(true, default)).ToList();
        command.Parameters.Add(SqlParameters.Array(windows, NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(states.Select(s => s.Open), NpgsqlDbType.Boolean));
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = states.Select(s => s.Until == default ? (DateTimeOffset?)null : s.Until).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
    }
}
