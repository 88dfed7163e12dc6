using Npgsql;

namespace PushApi.Core.Dml;

/// <summary>
/// Numbers for new jobs, taken from their sequence ahead of the insert: a bulk job takes those of its next chunk while
/// the chunk before is written, so the insert itself only writes. A number not used (a row that fails its checks, a
/// duplicate, a rolled-back chunk) is a gap in the ids, as with any sequence.
/// </summary>
public static class PushJobIds
{
    /// <summary>Takes <paramref name="count"/> new job ids, in increasing order.</summary>
    public static async Task<long[]> TakeAsync(NpgsqlConnection connection, int count, CancellationToken cancellationToken)
    {
        var ids = new long[count];
        if (count == 0)
        {
            return ids;
        }

        await using var command = new NpgsqlCommand("SELECT nextval('push_jobs_id_seq') FROM generate_series(1, $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var index = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            ids[index++] = reader.GetInt64(0);
        }

        return ids;
    }
}
