using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P17 (R15): rate-limit isolation. A server of its own with a per-user limit of <see cref="Limit"/> calls a second;
/// user B calls it at half that rate while the harness measures B's latency, and user A (the <see cref="Abuser"/>, another
/// process) sends <see cref="AbuseFactor"/> times A's limit in alternate seconds (<see cref="AbusePhases"/>), so B's calls
/// with and without A come from the same window. REST (GET a record) and SOAP (a query) apart; the ratio is B's p99 in the
/// abused seconds over B's p99 in the quiet ones, per repeat, and the median of the repeats.
/// </summary>
public static class RateLimitScenarios
{
    public const int Limit = 200;
    public const int AbuseFactor = 10;
    private const int MeasuringConnections = 2;

    /// <summary>The latency recorded for a call of B's that the limit refused.</summary>
    private const double Refused = -1;

    public static async Task<IEnumerable<Result>> IsolationAsync(ScenarioContext c)
    {
        var (server, address) = await c.Bench.StartServerAsync(new Dictionary<string, string>
        {
            ["PushApi__RateLimit__RequestsPerSecond"] = Limit.ToString(CultureInfo.InvariantCulture),
            // A small burst: A's allowance refills during the quiet seconds, and a full second's worth spent at once would
            // measure A's allowed calls, not its refused ones.
            ["PushApi__RateLimit__Burst"] = (Limit / 10).ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            using var admin = c.Bench.Client(address, 4);
            var api = new PushApiClient(admin);
            var abuser = await api.UserTokenAsync($"abuser-{Guid.NewGuid():N}@bench.local", "Read", "PushUpgrade");
            var measured = await api.UserTokenAsync($"measured-{Guid.NewGuid():N}@bench.local", "Read", "PushUpgrade");
            var request = await c.Api.RequestAsync(c.Target);
            var duration = c.Options.Smoke ? TimeSpan.FromSeconds(2) : c.Options.LoadDuration * 4; // half of it abused
            var fronts = new (string Front, string Target)[]
            {
                ("rest", $"/services/data/v62.0/sobjects/PackagePushRequest/{request}"),
                ("soap", $"SELECT Id, Status FROM PackagePushRequest WHERE Id = '{request}'"),
            };
            var results = new List<Result>();
            foreach (var (front, target) in fronts)
            {
                var runs = new List<(double Alone, double Abused, string Abuse)>();
                // Repeat -1 warms the server's refusal and call paths up (its first abused seconds ran 2-3x slower); it is not counted.
                for (var repeat = c.Options.Smoke ? 0 : -1; repeat < c.Options.Repeats; repeat++)
                {
                    var window = repeat < 0 ? TimeSpan.FromSeconds(4) : duration;
                    var phases = AbusePhases.StartingIn(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)); // the child's start-up and JIT come first
                    using var load = Bench.StartAbuser(address, abuser, front, Limit * AbuseFactor, window, target, phases);
                    var calls = await MeasureAsync(address, measured, front, target, window, phases);
                    var line = (await load.StandardOutput.ReadToEndAsync()).Trim();
                    await load.WaitForExitAsync();
                    var refusedB = calls.Where(call => call.Ms == Refused).Select(call => phases.IsOn(call.At) ? "abused" : "quiet").ToList();
                    var counted = calls.Where(call => !phases.IsSettling(call.At) && call.Ms != Refused).ToList();
                    var alone = Percentile([.. counted.Where(call => !phases.IsOn(call.At)).Select(call => call.Ms)], 99);
                    var abused = Percentile([.. counted.Where(call => phases.IsOn(call.At)).Select(call => call.Ms)], 99);
                    if (repeat < 0)
                    {
                        continue;
                    }

                    runs.Add((alone, abused, line));
                    Console.Error.WriteLine($"  P17 {front}: B p99 in quiet seconds {alone:0.00} ms, in abused seconds {abused:0.00} ms, {counted.Count} calls, {refusedB.Count(r => r == "abused")}/{refusedB.Count(r => r == "quiet")} of B's refused in abused/quiet seconds (abuser: sent refused p50 p99 = {line})");
                }

                var ratios = runs.Select(r => r.Abused / r.Alone).ToList();
                var ratio = Median(ratios);
                var abuse = runs[^1].Abuse.Split(' ');
                var refusedShare = abuse.Length == 4 && double.Parse(abuse[0], CultureInfo.InvariantCulture) > 0
                    ? double.Parse(abuse[1], CultureInfo.InvariantCulture) / double.Parse(abuse[0], CultureInfo.InvariantCulture) : 0;
                results.Add(new Result("P17", $"{front.ToUpperInvariant()}: user B's p99 while user A sends {AbuseFactor}x its limit ({Limit}/s)", "p99_ms",
                    Median(runs.Select(r => r.Abused)), Median(runs.Select(r => r.Alone)), ratio, "<=1.2x B alone", ratio <= 1.2,
                    string.Create(CultureInfo.InvariantCulture, $"ratios {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}; A refused {refusedShare:P0}, refusal p50 {(abuse.Length == 4 ? abuse[2] : "?")} ms")));
            }

            return results;
        }
        finally
        {
            Bench.Kill(server);
        }
    }

    /// <summary>User B's calls over a while from the phases' start, with when each began: <see cref="MeasuringConnections"/> connections, each paced to half the limit between them.</summary>
    private static async Task<List<(DateTimeOffset At, double Ms)>> MeasureAsync(Uri address, string token, string front, string target, TimeSpan duration, AbusePhases phases)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MeasuringConnections }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = front == "rest" ? new AuthenticationHeaderValue("Bearer", token) : null;
        var envelope = Abuser.Envelope(token, target);
        var interval = TimeSpan.FromSeconds(MeasuringConnections / (Limit / 2.0));
        for (var i = 0; i < Limit / 20; i++) // half the burst: back to back, a whole burst would run B into its own limit
        {
            if (!await CallAsync(client, front, target, envelope))
            {
                throw new InvalidOperationException($"user B's {front} warm-up call {i} was refused by the rate limit");
            }
        }

        var latencies = new List<(DateTimeOffset At, double Ms)>[MeasuringConnections];
        await phases.WaitForStartAsync();
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, MeasuringConnections).Select(async n =>
        {
            latencies[n] = [];
            for (var i = 0; ; i++)
            {
                var due = (interval * i) + (interval * n / MeasuringConnections);
                if (due > duration)
                {
                    break;
                }

                var wait = due - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var at = TimeProvider.System.GetUtcNow();
                var start = Stopwatch.GetTimestamp();
                var answered = await CallAsync(client, front, target, envelope);
                latencies[n].Add((at, answered ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : Refused));
            }
        }));
        return [.. latencies.SelectMany(l => l)];
    }

    /// <summary>One call of user B; false when the rate limit refused it (B stays under its limit, so that is a finding, not a crash).</summary>
    private static async Task<bool> CallAsync(HttpClient client, string front, string target, string envelope)
    {
        using var request = front == "rest" ? new HttpRequestMessage(HttpMethod.Get, target) : Abuser.SoapRequest(envelope);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var body = await response.Content.ReadAsStringAsync();
        if (body.Contains("REQUEST_LIMIT_EXCEEDED", StringComparison.Ordinal))
        {
            return false;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"user B's {front} call answered {(int)response.StatusCode}: {(body.IndexOf("<faultstring>", StringComparison.Ordinal) is var at and >= 0 ? body[at..Math.Min(body.Length, at + 300)] : body[..Math.Min(body.Length, 300)])}");
        }

        return true;
    }
}
