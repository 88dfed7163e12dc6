using Npgsql;
using PushApi.Core.Audit;
using PushApi.Core.Deployments;
using PushApi.Core.Dml;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Governance.Approvals;

/// <summary>
/// Rejects a push awaiting approval, with a comment saying why: the decision is recorded and the request
/// canceled (its jobs with it) through the status-change module, in one transaction with a
/// <c>deployment.rejected</c> event. The submitter may reject their own: that is withdrawing it.
/// </summary>
public sealed class RejectDeployment(NpgsqlDataSource dataSource, AbortPushRequests abort, SchedulerHandOff scheduler, IAuditLog audit, TimeProvider clock)
{
    public const string RejectedAction = "deployment.rejected";

    public async Task<Approval> RunAsync(string id, string? comment, ApprovalActor actor, CancellationToken cancellationToken = default)
    {
        var number = DeploymentIds.Parse(id);
        var reason = ApprovalDecision.Comment(comment, required: true, "Say why the deployment is rejected: a comment is required.");
        List<StartChange> aborted;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var locked = await ApprovalDecision.LockAsync(connection, id, number, cancellationToken);
            ApprovalDecision.EnsureAwaiting(id, locked);
            var now = clock.Now();
            await ApprovalDecision.WriteAsync(connection, number, ApprovalDecisions.Rejected, actor.UserId, now, reason, cancellationToken);
            aborted = await abort.RunAsync(connection, [number], cancellationToken, now);
            if (aborted.Count != 1)
            {
                throw new InvalidOperationException($"Push request {number} could not be canceled on rejection.");
            }

            await ApprovalEvents.WriteAsync(connection, ApprovalEvents.Rejected, [number], PushStatus.Created, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await scheduler.TellAsync(aborted, cancellationToken);
        await ApprovalDecision.RecordAsync(audit, RejectedAction, id, actor, reason);
        await using var reader = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await PushApprovals.GetAsync(reader, number, cancellationToken))!;
    }
}
