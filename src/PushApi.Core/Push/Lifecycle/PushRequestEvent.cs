using System.Text.Json.Nodes;

namespace PushApi.Core.Push.Lifecycle;

/// <summary>
/// A status change of a push request as the change trigger recorded it in <c>push_request_events</c> (or, with a
/// <see cref="Type"/>, a deployment event: a wave started, a halt, an approval), with the job counts of that moment.
/// The outbox hands each one on exactly once across all instances.
/// </summary>
public sealed record PushRequestEvent(long Id, long Request, string? Old, string? New, DateTimeOffset At, PushEventCounts? Counts)
{
    public string? Type { get; init; }

    public JsonObject? Data { get; init; }
}

/// <summary>A request's job counts as the status-change trigger captured them.</summary>
public sealed record PushEventCounts(int Total, int Succeeded, int Failed, int Canceled);
