using Npgsql;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>Aborts Created or Pending push requests (Status Canceled) in the caller's transaction: every job not finished is canceled with them.</summary>
public sealed class AbortPushRequests(TimeProvider clock)
{
    /// <summary>Aborts the requests as of <paramref name="now"/> (the caller's clock reading; now when null).</summary>
    public Task<List<StartChange>> RunAsync(NpgsqlConnection connection, IReadOnlyCollection<long> requestIds, CancellationToken cancellationToken, DateTimeOffset? now = null) =>
        StartChange.RunAsync(connection, RequestStatusChanges.Abort, requestIds, now ?? clock.Now(), reader => new StartChange(reader.GetInt64(0), null), cancellationToken);
}
