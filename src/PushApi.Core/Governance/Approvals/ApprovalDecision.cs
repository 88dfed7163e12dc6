using Npgsql;
using PushApi.Core.Audit;
using PushApi.Core.Deployments;
using PushApi.Core.Errors;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Governance.Approvals;

/// <summary>Who decides on an approval, as the audit log names them.</summary>
public sealed record ApprovalActor(long UserId, string? Username, string? ClientAddress);

/// <summary>A request as an approver finds it, its row locked: its status, who made it, and its approval if any.</summary>
internal sealed record LockedApproval(PushStatus Status, long? CreatedBy, long? RequestedBy, string? Decision, string? DecidedBy, DateTimeOffset? DecidedAt)
{
    public bool Awaiting => RequestedBy is not null && Decision is null && Status == PushStatus.Created;
}

/// <summary>What approving and rejecting share: the locked read, the checks, the decision written, the audit entries.</summary>
internal static class ApprovalDecision
{
    public const int MaxComment = 2000;

    /// <summary>The request and its approval, the request's row locked until the transaction ends; a NotFoundException when there is no such request.</summary>
    public static async Task<LockedApproval> LockAsync(NpgsqlConnection connection, string id, long requestId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT r.status, r.created_by, a.requested_by, a.decision, du.username, a.decided_at
            FROM push_requests r
            LEFT JOIN push_request_approvals a ON a.request_id = r.id
            LEFT JOIN users du ON du.id = a.decided_by
            WHERE r.id = $1
            FOR UPDATE OF r
            """, connection);
        command.Parameters.Add(SqlParameters.Value(requestId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw DeploymentIds.NotFound(id);
        }

        return new LockedApproval(
            PushStatuses.Parse(reader.GetString(0)),
            reader.IsDBNull(1) ? null : reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
    }

    /// <summary>A ConflictException unless the request awaits approval, saying what it is instead.</summary>
    public static void EnsureAwaiting(string id, LockedApproval locked)
    {
        if (locked.Awaiting)
        {
            return;
        }

        var why = locked.Decision is { } decision
            ? $"it was {decision.ToLowerInvariant()} by {locked.DecidedBy} at {locked.DecidedAt:O}"
            : locked.RequestedBy is null
                ? $"it is {locked.Status.WireName()} and never needed approval"
                : $"it is {locked.Status.WireName()}";
        throw new ConflictException($"Deployment {id} is not awaiting approval: {why}.", "NOT_AWAITING_APPROVAL");
    }

    /// <summary>The comment trimmed (null when blank); too long, or missing where <paramref name="required"/>, is a field error.</summary>
    public static string? Comment(string? comment, bool required, string why)
    {
        var trimmed = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (trimmed is null && required)
        {
            throw new InputException("comment", why);
        }

        return trimmed is { Length: > MaxComment } ? throw new InputException("comment", $"A comment has at most {MaxComment:N0} characters.") : trimmed;
    }

    public static async Task WriteAsync(NpgsqlConnection connection, long requestId, string decision, long userId, DateTimeOffset now, string? comment, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE push_request_approvals SET decision = $2, decided_by = $3, decided_at = $4, comment = $5 WHERE request_id = $1 AND decision IS NULL", connection);
        command.Parameters.Add(SqlParameters.Value(requestId));
        command.Parameters.Add(SqlParameters.Value(decision));
        command.Parameters.Add(SqlParameters.Value(userId));
        command.Parameters.Add(SqlParameters.Value(now));
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)comment ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"The approval of push request {requestId} changed under its lock.");
        }
    }

    /// <summary>An audit entry of an approval, a rejection or a refused attempt, written even when the caller has gone.</summary>
    public static Task RecordAsync(IAuditLog audit, string action, string id, ApprovalActor actor, string? detail) =>
        audit.RecordAsync(
            new AuditRecord(action)
            {
                UserId = actor.UserId,
                Username = actor.Username,
                ClientAddress = actor.ClientAddress,
                Target = id,
                Detail = detail,
            },
            CancellationToken.None);
}
