using Npgsql;
using PushApi.Core.Audit;
using PushApi.Core.Deployments;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Governance.Approvals;

/// <summary>
/// Approves a push awaiting approval: another user than the one who made or scheduled it records the
/// decision and the push is scheduled exactly as it would have been without approval (at its
/// ScheduledStartTime, or now when that is past or not set), in one transaction with a
/// <c>deployment.approved</c> event. The submitter's own approval is refused (403) and audited.
/// </summary>
public sealed class ApproveDeployment(NpgsqlDataSource dataSource, SchedulePushRequests schedule, SchedulerHandOff scheduler, IAuditLog audit, TimeProvider clock)
{
    public const string ApprovedAction = "deployment.approved";
    public const string RefusedAction = "deployment.approvalRefused";

    public async Task<Approval> RunAsync(string id, string? comment, ApprovalActor actor, CancellationToken cancellationToken = default)
    {
        var number = DeploymentIds.Parse(id);
        var note = ApprovalDecision.Comment(comment, required: false, "");
        List<StartChange> starts;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var locked = await ApprovalDecision.LockAsync(connection, id, number, cancellationToken);
            ApprovalDecision.EnsureAwaiting(id, locked);
            if (actor.UserId == locked.RequestedBy || actor.UserId == locked.CreatedBy)
            {
                await ApprovalDecision.RecordAsync(audit, RefusedAction, id, actor, "self-approval");
                throw new ForbiddenException(
                    $"You asked for deployment {id} yourself, so you cannot approve it: approval needs a second person (four eyes). Ask another user with the ApprovePush permission; you can still cancel it.",
                    "SELF_APPROVAL");
            }

            var now = clock.Now();
            await ApprovalDecision.WriteAsync(connection, number, ApprovalDecisions.Approved, actor.UserId, now, note, cancellationToken);
            starts = await schedule.RunAsync(connection, [number], cancellationToken, now);
            if (starts.Count != 1)
            {
                // The request is locked and Created: anything else is a fault, and nothing stays.
                throw new InvalidOperationException($"Push request {number} could not be scheduled on approval.");
            }

            await ApprovalEvents.WriteAsync(connection, ApprovalEvents.Approved, [number], PushStatus.Created, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await scheduler.TellAsync(starts, cancellationToken);
        await ApprovalDecision.RecordAsync(audit, ApprovedAction, id, actor, note);
        await using var reader = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await PushApprovals.GetAsync(reader, number, cancellationToken))!;
    }
}
