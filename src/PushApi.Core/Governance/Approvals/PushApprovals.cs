using Npgsql;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Governance.Approvals;

/// <summary>
/// A push request's approval: who asked (and when), and who decided what (and when, and why).
/// <see cref="Awaiting"/>: no decision yet and the request still Created, so it waits for one.
/// </summary>
public sealed record Approval(
    long RequestId,
    long RequestedById,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string? Decision,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Comment,
    bool Awaiting);

/// <summary>The decisions an approval can have.</summary>
public static class ApprovalDecisions
{
    public const string Approved = "Approved";
    public const string Rejected = "Rejected";
}

/// <summary>Reads approvals: a request's, and whether one is awaiting approval (for other code that must not start or change it meanwhile).</summary>
public sealed class PushApprovals(NpgsqlDataSource dataSource)
{
    private static readonly string Select =
        $"""
        SELECT a.request_id, a.requested_by, ru.username, a.requested_at, a.decision, du.username, a.decided_at, a.comment,
               a.decision IS NULL AND {PushStatusSql.Is("r.status", PushStatus.Created)}
        FROM push_request_approvals a
        JOIN push_requests r ON r.id = a.request_id
        JOIN users ru ON ru.id = a.requested_by
        LEFT JOIN users du ON du.id = a.decided_by
        """;

    /// <summary>The approval of the request, or null when it never needed one.</summary>
    public async Task<Approval?> GetAsync(long requestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await GetAsync(connection, requestId, cancellationToken);
    }

    /// <summary>The approvals of those of the requests that have one, by request id (a page of deployments).</summary>
    public async Task<Dictionary<long, Approval>> GetManyAsync(IReadOnlyCollection<long> requestIds, CancellationToken cancellationToken = default)
    {
        var approvals = new Dictionary<long, Approval>();
        if (requestIds.Count == 0)
        {
            return approvals;
        }

        await using var command = dataSource.CreateCommand(Select + " WHERE a.request_id = ANY($1)");
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlTypes.NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var approval = Read(reader);
            approvals[approval.RequestId] = approval;
        }

        return approvals;
    }

    /// <summary>Whether the request waits for approval (held Created until another user approves or rejects it).</summary>
    public async Task<bool> IsAwaitingAsync(long requestId, CancellationToken cancellationToken = default) =>
        (await GetAsync(requestId, cancellationToken))?.Awaiting == true;

    /// <summary>Whether the request waits for approval, as the caller's transaction sees it.</summary>
    public static async Task<bool> IsAwaitingAsync(NpgsqlConnection connection, long requestId, CancellationToken cancellationToken) =>
        (await GetAsync(connection, requestId, cancellationToken))?.Awaiting == true;

    internal static async Task<Approval?> GetAsync(NpgsqlConnection connection, long requestId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Select + " WHERE a.request_id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(requestId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static Approval Read(NpgsqlDataReader reader) =>
        new(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetString(2),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetBoolean(8));
}
