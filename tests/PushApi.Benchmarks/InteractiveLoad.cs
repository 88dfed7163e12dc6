using System.Diagnostics;

namespace PushApi.Benchmarks;

/// <summary>
/// P8's interactive traffic: the same GET on a few connections, closed loop, until stopped; every call kept with
/// its start (seconds after an origin, the moment the push was set Pending) and its latency, so P8 can take the
/// p99 of a window and the timeline the p99 of each interval.
/// </summary>
public sealed class InteractiveLoad
{
    private readonly HttpClient _client;
    private readonly List<(double At, double Ms)>[] _samples;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private InteractiveLoad(HttpClient client, int connections)
    {
        _client = client;
        _samples = Enumerable.Range(0, connections).Select(_ => new List<(double, double)>()).ToArray();
    }

    /// <summary>Seconds after the origin when the measured calls began (after the warm-up).</summary>
    public double StartedAt { get; private set; }

    /// <summary>Warms the connections up (4 calls each, not kept), then starts the load.</summary>
    public static async Task<InteractiveLoad> StartAsync(HttpClient client, string url, int connections, long origin)
    {
        var load = new InteractiveLoad(client, connections);
        for (var i = 0; i < connections * 4; i++)
        {
            using var warm = await client.GetAsync(url);
            warm.EnsureSuccessStatusCode();
        }

        load.StartedAt = Stopwatch.GetElapsedTime(origin).TotalSeconds;
        load._running = Task.WhenAll(load._samples.Select(async samples =>
        {
            while (!load._stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
                response.EnsureSuccessStatusCode();
                samples.Add((Stopwatch.GetElapsedTime(origin, start).TotalSeconds, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
            }
        }));
        return load;
    }

    /// <summary>Stops the load (calls in flight finish) and returns every call: start in seconds after the origin, latency in ms.</summary>
    public async Task<List<(double At, double Ms)>> StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        finally
        {
            _stop.Dispose();
            _client.Dispose();
        }

        return _samples.SelectMany(s => s).OrderBy(s => s.At).ToList();
    }
}
