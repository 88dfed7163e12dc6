using Npgsql;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>One interval of a push's timeline: its middle (seconds since Pending), jobs finished a second, and the interactive GETs started in it.</summary>
public sealed record SeriesPoint(double T, double JobsPerSecond, double? ApiP99Ms, int ApiRequests);

/// <summary>
/// A push over time (the JSON's "series", the plot's lines): P1's pushes without interactive traffic, P8's with
/// GETs on 4 connections for the whole push. <see cref="IdleP99Ms"/> is P8's idle p99, the plot's reference line.
/// </summary>
public sealed record PushSeries(string Id, string Label, int Run, int Jobs, bool InteractiveLoad, double IntervalSeconds, double Seconds, double? IdleP99Ms, List<SeriesPoint> Points);

/// <summary>Builds a push's timeline after it ended: completions from the jobs' own end times, GET latencies from the harness's samples.</summary>
public static class PushTimeline
{
    public const double IntervalSeconds = 0.5;

    /// <summary>
    /// Jobs finished per interval since <paramref name="pending"/> (the wall clock when the harness set the request
    /// Pending; the server writes end_time with the same machine's clock), read once the push is over so the timeline
    /// costs the push nothing. <paramref name="gets"/>: (start, seconds after Pending; latency in ms) of each interactive GET.
    /// </summary>
    public static async Task<List<SeriesPoint>> ReadAsync(Bench bench, string request, DateTimeOffset pending, IReadOnlyList<(double At, double Ms)>? gets = null)
    {
        var finished = new Dictionary<int, long>();
        await using (var connection = new NpgsqlConnection(bench.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT greatest(floor(extract(epoch FROM end_time - $2) / $3), 0)::int, count(*) FROM push_jobs WHERE request_id = $1 AND end_time IS NOT NULL GROUP BY 1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Bench.Number(request) });
            command.Parameters.Add(new NpgsqlParameter { Value = pending.ToUniversalTime() });
            command.Parameters.Add(new NpgsqlParameter { Value = IntervalSeconds });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                finished[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }

        var latencies = (gets ?? []).Where(g => g.At >= 0).GroupBy(g => (int)(g.At / IntervalSeconds)).ToDictionary(g => g.Key, g => g.Select(x => x.Ms).ToList());
        var last = finished.Keys.Concat(latencies.Keys).DefaultIfEmpty(0).Max();
        var points = new List<SeriesPoint>();
        for (var bucket = 0; bucket <= last; bucket++)
        {
            var inBucket = latencies.GetValueOrDefault(bucket);
            points.Add(new SeriesPoint(
                Math.Round((bucket + 0.5) * IntervalSeconds, 2),
                finished.GetValueOrDefault(bucket) / IntervalSeconds,
                inBucket is { Count: > 0 } ? Math.Round(Percentile(inBucket, 99), 2) : null,
                inBucket?.Count ?? 0));
        }

        return points;
    }
}
