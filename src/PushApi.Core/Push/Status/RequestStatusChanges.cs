using static PushApi.Core.Push.Status.PushStatus;

namespace PushApi.Core.Push.Status;

/// <summary>
/// Every statement that changes a push request's status, each named after its rows of
/// <see cref="PushStatusTransitions"/>. The jobs that follow their request (scheduled or canceled with
/// it) change in the same statement.
/// </summary>
public static class RequestStatusChanges
{
    private static readonly Transition RequestScheduled = new(PushRecord.Request, PushActor.Client, [Created], [Pending], "r");
    private static readonly Transition JobsScheduled = new(PushRecord.Job, PushActor.System, [Created], [Pending], "j");
    private static readonly Transition RequestAborted = new(PushRecord.Request, PushActor.Client, [Created, Pending], [Canceled], "r");
    private static readonly Transition JobsAborted = new(PushRecord.Job, PushActor.System, [Created, Pending], [Canceled], "j");
    private static readonly Transition RequestStarted = new(PushRecord.Request, PushActor.System, [Pending], [InProgress], "r");
    private static readonly Transition RequestEnded = new(PushRecord.Request, PushActor.System, [InProgress], [Succeeded, Failed, Canceled], "r");
    private static readonly Transition JobsHalted = new(PushRecord.Job, PushActor.System, [Pending], [Canceled], "j");

    /// <summary>
    /// Request Created → Pending (a client schedules it), and its jobs Created → Pending with it, so the
    /// start touches one row. <c>$1</c> the request ids, <c>$2</c> now. Returns the ids scheduled.
    /// </summary>
    public static readonly StatusStatement Schedule = new(
        "schedule",
        $"""
        WITH jobs AS (
            UPDATE push_jobs j SET status = {JobsScheduled.Target}, system_modstamp = $2, last_modified_by = NULL
            WHERE j.request_id = ANY($1) AND {JobsScheduled.Guard}
              AND EXISTS (SELECT 1 FROM push_requests h WHERE h.id = j.request_id AND {PushStatusSql.In("h.status", RequestScheduled.From)})
        )
        UPDATE push_requests r SET status = {RequestScheduled.Target}, pending_at = $2, system_modstamp = $2, last_modified_by = NULL
        WHERE r.id = ANY($1) AND {RequestScheduled.Guard}
        RETURNING r.id, greatest(r.scheduled_start_time, $2)
        """,
        [RequestScheduled, JobsScheduled],
        [new StatusRead("h.status", RequestScheduled.From)]);

    /// <summary>
    /// Request Created|Pending → Canceled (a client aborts it), and every job not finished with it,
    /// counted. <c>$1</c> the request ids, <c>$2</c> now. Returns the ids canceled.
    /// </summary>
    public static readonly StatusStatement Abort = new(
        "abort",
        $"""
        WITH jobs AS (
            UPDATE push_jobs j SET status = {JobsAborted.Target}, system_modstamp = $2, last_modified_by = NULL
            WHERE j.request_id = ANY($1) AND {JobsAborted.Guard}
              AND EXISTS (SELECT 1 FROM push_requests h WHERE h.id = j.request_id AND {PushStatusSql.In("h.status", RequestAborted.From)})
            RETURNING j.request_id
        )
        UPDATE push_requests r
        SET status = {RequestAborted.Target}, end_time = $2, system_modstamp = $2, last_modified_by = NULL, canceled_count = r.canceled_count + coalesce(c.canceled, 0)
        FROM unnest($1::bigint[]) AS ids(id)
        LEFT JOIN (SELECT request_id, count(*) AS canceled FROM jobs GROUP BY request_id) c ON c.request_id = ids.id
        WHERE r.id = ids.id AND {RequestAborted.Guard}
        RETURNING r.id
        """,
        [RequestAborted, JobsAborted],
        [new StatusRead("h.status", RequestAborted.From)]);

    /// <summary>Request Pending → In Progress at its start time (its jobs are Pending already). <c>$1</c> the request, <c>$2</c> now.</summary>
    public static readonly StatusStatement Start = new(
        "start",
        $"UPDATE push_requests r SET status = {RequestStarted.Target}, start_time = $2, system_modstamp = $2, last_modified_by = NULL WHERE r.id = $1 AND {RequestStarted.Guard}",
        RequestStarted);

    /// <summary>
    /// Halts a running request: its jobs Pending → Canceled (counted) and the request marked halted; it
    /// ends Canceled at its roll-up, once its running jobs are done. <c>$1</c> the request, <c>$2</c> now.
    /// </summary>
    public static readonly StatusStatement Halt = new(
        "halt",
        $"""
        WITH jobs AS (
            UPDATE push_jobs j SET status = {JobsHalted.Target}, system_modstamp = $2, last_modified_by = NULL
            WHERE j.request_id = $1 AND {JobsHalted.Guard}
              AND EXISTS (SELECT 1 FROM push_requests h WHERE h.id = $1 AND {PushStatusSql.Is("h.status", InProgress)} AND h.halted_at IS NULL)
            RETURNING 1
        )
        UPDATE push_requests r SET halted_at = $2, system_modstamp = $2, last_modified_by = NULL, canceled_count = r.canceled_count + (SELECT count(*) FROM jobs)
        WHERE r.id = $1 AND {PushStatusSql.Is("r.status", InProgress)} AND r.halted_at IS NULL
        """,
        [JobsHalted],
        [new StatusRead("h.status", [InProgress]), new StatusRead("r.status", [InProgress])]);

    /// <summary>
    /// Request In Progress → Succeeded|Failed|Canceled once every job is done (counters say so and none
    /// is running): Canceled when halted, Succeeded when a job succeeded or it had none, else Failed.
    /// <c>$1</c> now; with <paramref name="some"/>, <c>$2</c> the requests to look at (else all running ones).
    /// </summary>
    public static StatusStatement RollUp(bool some) => new(
        some ? "roll-up" : "roll-up all",
        $"""
        UPDATE push_requests r
        SET status = CASE WHEN r.halted_at IS NOT NULL THEN {PushStatusSql.Literal(Canceled)} WHEN r.succeeded_count > 0 OR r.job_count = 0 THEN {PushStatusSql.Literal(Succeeded)} ELSE {PushStatusSql.Literal(Failed)} END,
            end_time = $1,
            duration_seconds = greatest(0, round(extract(epoch FROM $1 - coalesce(r.start_time, $1))))::int,
            system_modstamp = $1, last_modified_by = NULL
        WHERE {RequestEnded.Guard} AND r.succeeded_count + r.failed_count + r.canceled_count >= r.job_count
          {(some ? "AND r.id = ANY($2)" : "")}
          AND NOT EXISTS (SELECT 1 FROM push_jobs j WHERE j.request_id = r.id AND {PushStatusSql.Is("j.status", InProgress)})
        """,
        [RequestEnded],
        [new StatusRead("j.status", [InProgress])]);

    /// <summary>The statements of this module, for the tests that hold them against the table.</summary>
    public static IEnumerable<StatusStatement> All => [Schedule, Abort, Start, Halt, RollUp(some: true), RollUp(some: false)];
}
