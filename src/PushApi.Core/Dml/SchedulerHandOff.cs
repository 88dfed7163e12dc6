using Microsoft.Extensions.Logging;
using PushApi.Core.Push.Engine;

namespace PushApi.Core.Dml;

/// <summary>
/// Tells the scheduler about committed schedules and aborts. A failure here loses nothing: the
/// reconciler schedules any Pending request that has no trigger, and a trigger of an aborted request
/// finds nothing to start.
/// </summary>
public sealed class SchedulerHandOff(IPushScheduler scheduler, ILogger<SchedulerHandOff> logger)
{
    public async Task TellAsync(IEnumerable<StartChange> changes, CancellationToken cancellationToken)
    {
        foreach (var (requestId, startAt) in changes)
        {
            try
            {
                if (startAt is { } at)
                {
                    await scheduler.ScheduleStartAsync(requestId, at, cancellationToken);
                }
                else
                {
                    await scheduler.CancelStartAsync(requestId, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not tell the scheduler about push request {RequestId}; the reconciler will.", requestId);
            }
        }
    }
}
