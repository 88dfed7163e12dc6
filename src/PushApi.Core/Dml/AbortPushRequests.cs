using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>Aborts Created or Pending push requests (Status Canceled) in the caller's transaction: every job not finished is canceled with them.</summary>
public sealed class AbortPushRequests(TimeProvider clock)
{
    /// <summary>Aborts the requests as of <paramref name="now"/> (the caller's clock reading; now when null).</summary>
    public async Task<List<StartChange>> RunAsync(NpgsqlConnection connection, IReadOnlyCollection<long> requestIds, CancellationToken cancellationToken, DateTimeOffset? now = null)
    {
        var aborted = new List<StartChange>(requestIds.Count);
        if (requestIds.Count == 0)
        {
            return aborted;
        }

        await using var command = new NpgsqlCommand(RequestStatusChanges.Abort.Sql, connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(now ?? clock.Now()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            aborted.Add(new StartChange(reader.GetInt64(0), null));
        }

        return aborted;
    }
}
