namespace PushApi.Core.Push.Status;

/// <summary>Which kind of record a status belongs to.</summary>
public enum PushRecord
{
    Request,
    Job,
}

/// <summary>Who asks for a change: an API client, or the service itself (scheduler, workers, cascades).</summary>
public enum PushActor
{
    Client,
    System,
}

/// <summary>
/// The one transition table for requests and jobs (docs/architecture.md, "One home for status changes"). Anything not listed is
/// illegal; <see cref="Ensure"/> throws rather than silently doing nothing.
/// </summary>
public static class PushStatusTransitions
{
    private static readonly HashSet<(PushRecord Record, PushStatus From, PushStatus To, PushActor Actor)> Allowed =
    [
        // A client schedules or aborts a request that has not started.
        (PushRecord.Request, PushStatus.Created, PushStatus.Pending, PushActor.Client),
        (PushRecord.Request, PushStatus.Created, PushStatus.Canceled, PushActor.Client),
        (PushRecord.Request, PushStatus.Pending, PushStatus.Canceled, PushActor.Client),

        // The scheduler starts a request at its start time; the last finished job rolls it up.
        (PushRecord.Request, PushStatus.Pending, PushStatus.InProgress, PushActor.System),
        (PushRecord.Request, PushStatus.InProgress, PushStatus.Succeeded, PushActor.System),
        (PushRecord.Request, PushStatus.InProgress, PushStatus.Failed, PushActor.System),

        // A request an operator halted ends Canceled once its running jobs are done.
        (PushRecord.Request, PushStatus.InProgress, PushStatus.Canceled, PushActor.System),

        // Jobs follow their request: scheduled with it, canceled with it.
        (PushRecord.Job, PushStatus.Created, PushStatus.Pending, PushActor.System),
        (PushRecord.Job, PushStatus.Created, PushStatus.Canceled, PushActor.System),
        (PushRecord.Job, PushStatus.Pending, PushStatus.Canceled, PushActor.System),

        // A worker claims, runs and completes a job; an expired lease puts it back.
        (PushRecord.Job, PushStatus.Pending, PushStatus.InProgress, PushActor.System),
        (PushRecord.Job, PushStatus.InProgress, PushStatus.Succeeded, PushActor.System),
        (PushRecord.Job, PushStatus.InProgress, PushStatus.Failed, PushActor.System),
        (PushRecord.Job, PushStatus.InProgress, PushStatus.Pending, PushActor.System),

        // A job still waiting for its tenant's maintenance window at its request's window deadline fails unrun.
        (PushRecord.Job, PushStatus.Pending, PushStatus.Failed, PushActor.System),
    ];

    /// <summary>Every row of the table.</summary>
    public static IReadOnlyCollection<(PushRecord Record, PushStatus From, PushStatus To, PushActor Actor)> Rows => Allowed;

    public static bool IsAllowed(PushRecord record, PushStatus from, PushStatus to, PushActor actor) =>
        Allowed.Contains((record, from, to, actor));

    /// <summary>Throws <see cref="IllegalTransitionException"/> unless the change is in the table.</summary>
    public static void Ensure(PushRecord record, PushStatus from, PushStatus to, PushActor actor)
    {
        if (!IsAllowed(record, from, to, actor))
        {
            throw new IllegalTransitionException(record, from, to, actor);
        }
    }

    /// <summary>The statuses a record may move to from <paramref name="from"/>.</summary>
    public static IEnumerable<PushStatus> Targets(PushRecord record, PushStatus from, PushActor actor) =>
        PushStatuses.All.Where(to => IsAllowed(record, from, to, actor));
}

/// <summary>A status change the transition table does not allow.</summary>
public sealed class IllegalTransitionException : Exception
{
    public IllegalTransitionException(PushRecord record, PushStatus from, PushStatus to, PushActor actor)
        : base($"A push {record.ToString().ToLowerInvariant()} can't go from '{from.WireName()}' to '{to.WireName()}' ({actor.ToString().ToLowerInvariant()}).")
    {
        Record = record;
        From = from;
        To = to;
        Actor = actor;
    }

    public PushRecord Record { get; }

    public PushStatus From { get; }

    public PushStatus To { get; }

    public PushActor Actor { get; }
}
