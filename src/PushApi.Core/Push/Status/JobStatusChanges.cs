using static PushApi.Core.Push.Status.PushStatus;

namespace PushApi.Core.Push.Status;

/// <summary>
/// Every statement that changes a push job's status as the engine runs it, each named after its rows
/// of <see cref="PushStatusTransitions"/>: claim, complete, release and rescue. Each is set-based and
/// fenced by the job's status (and, for an outcome, its attempt number).
/// </summary>
public static class JobStatusChanges
{
    /// <summary>The channel workers LISTEN on; a NOTIFY means there may be work (jobs started, released or rescued).</summary>
    public const string WorkChannel = "pushapi_jobs";

    private static readonly Transition Claimed = new(PushRecord.Job, PushActor.System, [Pending], [InProgress], "j");
    private static readonly Transition Completed = new(PushRecord.Job, PushActor.System, [InProgress], [Succeeded, Failed], "l");
    private static readonly Transition HandedBack = new(PushRecord.Job, PushActor.System, [InProgress], [Pending], "j");
    private static readonly Transition MissedWindow = new(PushRecord.Job, PushActor.System, [Pending], [Failed], "j");

    /// <summary>A job back in the queue holds no lease and has not started.</summary>
    private static readonly string Requeued = $"status = {HandedBack.Target}, start_time = NULL, lease_owner = NULL, lease_expires_at = NULL";

    /// <summary>
    /// The claim's selection: up to <c>$1</c> Pending jobs of running requests from one queue, in the
    /// order of the claim index, locked and skipping those another worker holds. Jobs waiting for their
    /// tenant's maintenance window are not in the claim index. Public for the EXPLAIN checks (P10, windows).
    /// The running requests are an array (<c>= ANY (ARRAY(…))</c>), not a join: the claim index then returns the jobs in
    /// the wanted order and the scan stops at the limit. As a join, the planner (with a fresh request's statistics)
    /// read every Pending job of the request and sorted them on disk for each batch: 30 of a claim's 36 ms at 100,000 jobs.
    /// The status is guarded as an array (<see cref="Transition.ArrayGuard"/>): with <c>status = 'Pending'</c>, the index
    /// (request_id, status, id) of migration 0024 returned the same order and cost the same to within 1 % (the heap reads
    /// dominate both); statistics and the claim index's size decided, and in P10 of the 2026-12-07 full run the planner took
    /// 0024's (the claim index holds jobs only while they wait, so its file keeps the size of the largest queue: 1,549 pages
    /// for 97,739 entries there, twice 0024's pages per entry). That index also holds the
    /// jobs waiting for their window, which the claim would then read and throw away. With the array, it has no order for
    /// the claim (it would sort the running requests' Pending jobs), and the cheapest other plan costs 27 times the claim
    /// index's or more (ClaimPlanTests holds the margin).
    /// </summary>
    public static string ClaimSelect(bool remote) =>
        $"""
        SELECT j.id, j.org_key FROM push_jobs j
        WHERE {Claimed.ArrayGuard} AND {(remote ? "j.remote" : "NOT j.remote")} AND j.window_opens_at IS NULL
          AND j.request_id = ANY (ARRAY(SELECT r.id FROM push_requests r WHERE {PushStatusSql.Is("r.status", InProgress)}))
        ORDER BY j.request_id, j.id
        LIMIT $1
        FOR UPDATE OF j SKIP LOCKED
        """;

    /// <summary>
    /// Job Pending → In Progress: a worker claims jobs under a lease (<c>$3</c> owner, <c>$4</c> expiry)
    /// as a new attempt; <c>$2</c> now. Returns each claimed job with its target version and tenant.
    /// </summary>
    public static StatusStatement Claim(bool remote) => new(
        remote ? "claim remote" : "claim in-platform",
        $"""
        WITH claimed AS (
            {ClaimSelect(remote)}
        ), updated AS (
            UPDATE push_jobs j
            SET status = {Claimed.Target}, start_time = $2, end_time = NULL, duration_seconds = NULL,
                attempt = j.attempt + 1, lease_owner = $3, lease_expires_at = $4, system_modstamp = $2, last_modified_by = NULL
            FROM claimed c
            WHERE j.id = c.id
            RETURNING j.id, j.request_id, j.attempt, j.org_key
        )
        SELECT u.id, u.request_id, u.attempt, u.org_key,
               {EligibilityFacts.TargetColumns("v")},
               p.namespace_prefix, t.agent_url, t.agent_username, t.agent_password_protected,
               r.install_mode, r.roles_mode, r.grant_roles,
               EXISTS (SELECT 1 FROM installations i WHERE i.org_key = u.org_key AND i.package_id = v.package_id AND i.installed_status = 'i')
        FROM updated u
        JOIN push_requests r ON r.id = u.request_id
        JOIN package_versions v ON v.id = r.package_version_id
        JOIN packages p ON p.id = v.package_id
        LEFT JOIN tenants t ON t.org_key = u.org_key
        ORDER BY u.request_id, u.id
        """,
        [Claimed],
        [new StatusRead("r.status", [InProgress])]);

    /// <summary>
    /// Job In Progress → Succeeded|Failed, fenced by the attempt (a late or repeated outcome changes
    /// nothing). In the same statement: the install of each success is recorded (the subscriber row moves
    /// to the target version), each failure gets its PackagePushError, and the requests' counters move.
    /// <c>$1</c>–<c>$3</c> outcomes (job, attempt, ok), <c>$4</c> now, <c>$5</c>–<c>$10</c> errors.
    /// Returns the counts of successes and failures recorded.
    /// </summary>
    public static readonly StatusStatement Complete = new(
        "complete",
        $"""
        WITH outcome AS (
            SELECT * FROM unnest($1::bigint[], $2::int[], $3::boolean[]) AS o(job_id, attempt, ok)
        ), locked AS (
            -- Row locks in id order, so two completions (or a completion and a hand-back) never deadlock. The outcome
            -- rides along, so the update below is one primary-key lookup a job whatever plan the statement gets (a
            -- prepared statement's generic plan joined the outcomes to the jobs by a nested loop: 45 ms for 500).
            -- The locked row's status and attempt ride along too, and the fence is tested on them: a status test on
            -- push_jobs itself offered the planner the In Progress partial index, and at a million jobs, after an
            -- ANALYZE mid-push, it scanned every running job and rescanned this CTE for each (137 of 151 ms for 500).
            SELECT j.id, o.attempt, o.ok, j.status, j.attempt AS current_attempt
            FROM push_jobs j JOIN outcome o ON o.job_id = j.id ORDER BY j.id FOR UPDATE OF j
        ), done AS (
            UPDATE push_jobs j
            SET status = CASE WHEN l.ok THEN {PushStatusSql.Literal(Succeeded)} ELSE {PushStatusSql.Literal(Failed)} END,
                end_time = $4,
                duration_seconds = greatest(0, round(extract(epoch FROM $4 - j.start_time)))::int,
                lease_owner = NULL, lease_expires_at = NULL, system_modstamp = $4, last_modified_by = NULL
            FROM locked l
            WHERE j.id = l.id AND l.current_attempt = l.attempt AND {Completed.Guard}
            RETURNING j.id, j.request_id, j.org_key, l.ok
        ), {Tenants.InstallationRecords.RecordUpgradesCte}, errors AS (
            INSERT INTO push_errors (job_id, error_severity, error_type, error_title, error_message, error_details, created_at, system_modstamp)
            SELECT e.job_id, e.severity, e.type, e.title, e.message, e.details, $4, $4
            FROM unnest($5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS e(job_id, severity, type, title, message, details)
            JOIN done d ON d.id = e.job_id
        ), counted AS (
            UPDATE push_requests r
            SET succeeded_count = r.succeeded_count + c.succeeded, failed_count = r.failed_count + c.failed, system_modstamp = $4, last_modified_by = NULL
            FROM (SELECT request_id, count(*) FILTER (WHERE ok) AS succeeded, count(*) FILTER (WHERE NOT ok) AS failed FROM done GROUP BY request_id) c
            WHERE r.id = c.request_id
        )
        SELECT count(*) FILTER (WHERE ok), count(*) FILTER (WHERE NOT ok) FROM done
        """,
        Completed);

    /// <summary>
    /// Job In Progress → Pending: this instance hands back jobs it holds but will not finish (shutdown),
    /// fenced by the attempt. <c>$1</c>, <c>$2</c> jobs and attempts, <c>$3</c> now. Returns how many.
    /// </summary>
    public static readonly StatusStatement Release = new(
        "release",
        $"""
        WITH released AS (
            UPDATE push_jobs j SET {Requeued}, system_modstamp = $3, last_modified_by = NULL
            FROM unnest($1::bigint[], $2::int[]) AS k(id, attempt)
            WHERE j.id = k.id AND j.attempt = k.attempt AND {HandedBack.Guard}
            RETURNING j.id
        )
        SELECT count(*), pg_notify('{WorkChannel}', '') FROM released
        """,
        HandedBack);

    /// <summary>
    /// Job In Progress → Pending for jobs whose lease expired (their instance died or stalled); the next
    /// claim is a new attempt. <c>$1</c> now. Returns how many, and wakes the workers when any.
    /// </summary>
    public static readonly StatusStatement Rescue = new(
        "rescue",
        $"""
        WITH rescued AS (
            UPDATE push_jobs j SET {Requeued}, system_modstamp = $1, last_modified_by = NULL
            FROM (SELECT j.id FROM push_jobs j WHERE {HandedBack.Guard} AND j.lease_expires_at < $1 FOR UPDATE SKIP LOCKED) expired
            WHERE j.id = expired.id
            RETURNING j.id
        )
        SELECT count(*), CASE WHEN count(*) > 0 THEN pg_notify('{WorkChannel}', '') END FROM rescued
        """,
        HandedBack);

    /// <summary>
    /// Job In Progress → Pending at start-up: the jobs that earlier runs of this node held (lease owners starting
    /// with <c>$1</c>, the node's prefix, other than <c>$2</c>, this run) go back to the queue at once instead of
    /// waiting out their leases; those runs are dead, since a node runs once. <c>$3</c> now. Returns how many,
    /// and wakes the workers when any.
    /// </summary>
    public static readonly StatusStatement ReleaseEarlierIncarnations = new(
        "release earlier incarnations",
        $"""
        WITH released AS (
            UPDATE push_jobs j SET {Requeued}, system_modstamp = $3, last_modified_by = NULL
            FROM (SELECT j.id FROM push_jobs j WHERE {HandedBack.Guard} AND starts_with(j.lease_owner, $1) AND j.lease_owner <> $2 ORDER BY j.id FOR UPDATE SKIP LOCKED) earlier
            WHERE j.id = earlier.id
            RETURNING j.id
        )
        SELECT count(*), CASE WHEN count(*) > 0 THEN pg_notify('{WorkChannel}', '') END FROM released
        """,
        HandedBack);

    /// <summary>
    /// Job Pending → Failed without running: it still waits for its tenant's maintenance window when its running
    /// request's window deadline has passed. Each gets a PackagePushError (UnclassifiedError, "Window Missed")
    /// naming the window, and the requests' failure counters move. <c>$1</c> now. Returns the requests touched.
    /// </summary>
    public static readonly StatusStatement MissWindow = new(
        "miss window",
        $"""
        WITH late AS (
            SELECT j.id FROM push_requests r
            JOIN push_jobs j ON j.request_id = r.id AND {MissedWindow.Guard} AND j.window_opens_at IS NOT NULL
            WHERE {PushStatusSql.Is("r.status", InProgress)} AND r.window_deadline <= $1
            ORDER BY j.id
            FOR UPDATE OF j SKIP LOCKED
        ), missed AS (
            UPDATE push_jobs j
            SET status = {MissedWindow.Target}, end_time = $1, window_opens_at = NULL, system_modstamp = $1, last_modified_by = NULL
            FROM late WHERE j.id = late.id AND {MissedWindow.Guard}
            RETURNING j.id, j.request_id, j.org_key
        ), errors AS (
            INSERT INTO push_errors (job_id, error_severity, error_type, error_title, error_message, created_at, system_modstamp)
            SELECT m.id, 'Error', 'UnclassifiedError', 'Window Missed',
                   format('The org %s was still waiting for its maintenance window (%s) when the deployment''s window deadline (%s UTC) passed.',
                          m.org_key,
                          coalesce(format('%s to %s, %s, %s', w->>'start', w->>'end', (SELECT string_agg(d, ', ') FROM jsonb_array_elements_text(w->'days') d), w->>'timeZone'), 'since removed'),
                          to_char(r.window_deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')),
                   $1, $1
            FROM missed m
            JOIN push_requests r ON r.id = m.request_id
            LEFT JOIN LATERAL (SELECT t.maintenance_window AS w FROM tenants t WHERE t.org_key = m.org_key) t ON true
        ), counted AS (
            UPDATE push_requests r SET failed_count = r.failed_count + c.failed, system_modstamp = $1, last_modified_by = NULL
            FROM (SELECT request_id, count(*) AS failed FROM missed GROUP BY request_id) c
            WHERE r.id = c.request_id
        )
        SELECT DISTINCT request_id FROM missed
        """,
        [MissedWindow],
        [new StatusRead("r.status", [InProgress])]);

    /// <summary>The statements of this module, for the tests that hold them against the table.</summary>
    public static IEnumerable<StatusStatement> All => [Claim(remote: false), Claim(remote: true), Complete, Release, Rescue, ReleaseEarlierIncarnations, MissWindow];
}
