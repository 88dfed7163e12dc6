using System.Globalization;

namespace PushApi.Benchmarks;

/// <summary>Shared data: a package with tenants on version 1, the target version 2, and newer versions for each push.</summary>
public sealed class ScenarioContext(Bench bench, BenchOptions options)
{
    private int _major = 2;

    public Bench Bench { get; } = bench;

    public PushApiClient Api => Bench.Api;

    public BenchOptions Options { get; } = options;

    public string Package { get; private set; } = "";

    public string Target { get; private set; } = "";

    public List<string> Orgs { get; private set; } = [];

    /// <summary>A Created request holding a job for every org (P5, P6).</summary>
    public string? BigRequest { get; private set; }

    public List<double> AfterPush { get; } = [];

    /// <summary>The pushes' timelines (P1's runs, P8's push), for the JSON's "series" and the plot.</summary>
    public List<PushSeries> Series { get; } = [];

    /// <summary>P1's jobs/s with one instance, for P9.</summary>
    public double SingleInstanceRate { get; set; }

    public double PeakRss { get; private set; }

    public async Task SeedAsync(bool tenants)
    {
        Package = await Api.CreatePackageAsync("Bench App");
        var first = await Api.CreateVersionAsync(Package, 1);
        Target = await Api.CreateVersionAsync(Package, 2);
        if (!tenants)
        {
            return;
        }

        Console.Error.WriteLine($"Seeding {Options.Jobs:N0} tenants…");
        Orgs = await Api.TenantsAsync(Options.Jobs, first);
        BigRequest = await Api.RequestAsync(Target);
        await Api.BulkAddAsync(BigRequest, Orgs);
    }

    /// <summary>
    /// Waits for a request to end by reading its row (every 10 ms) rather than polling the API, so the push runs as with
    /// nobody waiting (the engine gives way to interactive requests); then answers the API's progress.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> WaitQuietlyAsync(string request, TimeSpan timeout)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Bench.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT status FROM push_requests WHERE id = $1", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Bench.Number(request) });
        var deadline = TimeProvider.System.GetTimestamp();
        while ((string?)await command.ExecuteScalarAsync() is "Pending" or "In Progress" or "Created")
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > timeout)
            {
                throw new TimeoutException($"request {request} still running after {timeout}");
            }

            await Task.Delay(10);
        }

        return await Api.ProgressAsync(request);
    }

    /// <summary>A new released version above every earlier one, for the next push of every org.</summary>
    public async Task<string> NextVersionAsync() => await Api.CreateVersionAsync(Package, ++_major + 10);

    public IDisposable SampleMemory() => new Sampler(this);

    public Result Memory()
    {
        var growth = AfterPush.Count > 1 ? AfterPush[^1] - AfterPush[0] : 0;
        return new Result("P11", "server RSS while pushing", "peak_rss_mb", PeakRss, null, null, "<=400 MB, no growth across pushes",
            PeakRss > 0 && PeakRss <= 400 && growth <= 50, $"RSS after each push: {string.Join(", ", AfterPush.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))} MB");
    }

    private sealed class Sampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public Sampler(ScenarioContext context)
        {
            _task = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    context.PeakRss = Math.Max(context.PeakRss, Bench.RssMb(context.Bench.Server));
                    await Task.Delay(100);
                }
            });
        }

        public void Dispose()
        {
            _stop.Cancel();
            _task.Wait();
            _stop.Dispose();
        }
    }
}
