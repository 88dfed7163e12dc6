using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Telemetry;

/// <summary>
/// <c>/metrics</c> with a token, scraped during a real push (remote jobs through a slow fake agent, in-platform jobs):
/// the counters move while it runs and, at its end, equal the database's counts; the dashboard's metrics all exist.
/// </summary>
public sealed partial class MetricsTests
{
    private const string Token = "metrics-token-7c1f";

    private PushApiServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _scraper = null!;
    private FakeAgent _agent = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _agent = await FakeAgent.StartAsync();
        _agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(100) };
        _server = await PushApiServer.StartOnNewDatabaseAsync("metrics", settings: new Dictionary<string, string?>
        {
            ["PushApi:Metrics:Token"] = Token,
            ["PushApi:Metrics:CountsMaxAge"] = "00:00:00.200",
            ["PushApi:Execution:Concurrency"] = "8",

            // Low enough for one user's burst of calls to be refused, well above what the other tests' clients send.
            ["PushApi:RateLimit:RequestsPerSecond"] = "20",
            ["PushApi:RateLimit:Burst"] = "40",
        });
        _admin = await _server.LoginAsync();
        _scraper = _server.Anonymous();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _scraper.Dispose();
        _admin.Dispose();
        _server.Dispose();
        await _agent.DisposeAsync();
    }

    [Test]
    public async Task A_scrape_with_a_wrong_or_missing_token_is_401_and_with_the_token_200()
    {
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer not-the-token" } } };
        using var refused = await _scraper.SendAsync(wrong);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("metrics token").And.Not.Contain("pushapi_"));

        using var missing = await _scraper.GetAsync("/metrics");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        // A user's session token is no metrics token.
        using var userToken = await _admin.GetAsync("/metrics");
        Assert.That(userToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var scrape = await PrometheusScrape.TakeAsync(_scraper, Token);
        Assert.That(scrape.Names, Does.Contain("pushapi_push_jobs"));
    }

    [Test]
    public async Task Scrapes_during_a_push_see_the_counters_move_and_at_its_end_they_equal_the_database()
    {
        // A push due in an hour stays live throughout: its Pending jobs are what the by-state gauge shows at the end.
        var later = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var laterRequest = await later.RequestAsync(TimeProvider.System.GetUtcNow() + TimeSpan.FromHours(1));
        await later.AddJobsAsync(laterRequest, await later.TenantsAsync(20));
        await later.ScheduleAsync(laterRequest);

        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var orgs = (await push.TenantsAsync(200, _agent.AgentFor())).Concat(await push.TenantsAsync(100)).ToList();
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        var before = await PrometheusScrape.TakeAsync(_scraper, Token);
        await push.ScheduleAsync(request);

        var during = new List<PrometheusScrape>();
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while ((await push.RequestRecordAsync(request)).Text("Status") is "Pending" or "In Progress" && TimeProvider.System.GetUtcNow() < deadline)
        {
            during.Add(await PrometheusScrape.TakeAsync(_scraper, Token));
            await Task.Delay(150);
        }

        Assert.That((await push.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Succeeded"));
        var completedDuring = during.Select(s => s.Sum("pushapi_push_jobs_completed_total")).ToList();
        Assert.That(completedDuring, Is.Ordered, "a counter never goes down");
        Assert.That(completedDuring.Distinct().Count(), Is.GreaterThanOrEqualTo(3), $"the completions counter moved during the push: {string.Join(", ", completedDuring)}");
        Assert.That(during.Max(s => s.Sum("pushapi_push_jobs", ("status", "In Progress")) + s.Sum("pushapi_push_queue_depth")), Is.GreaterThan(0), "the gauges saw jobs running or queued");

        var after = await SettledScrapeAsync();
        var completed = await CountsAsync("SELECT status, remote, count(*) FROM push_jobs WHERE status IN ('Succeeded', 'Failed') GROUP BY 1, 2");
        var live = await CountsAsync("SELECT j.status, j.remote, count(*) FROM push_jobs j JOIN push_requests r ON r.id = j.request_id WHERE r.status IN ('Created', 'Pending', 'In Progress') GROUP BY 1, 2");
        double Delta(string name) => after.Sum(name) - before.Sum(name);
        Assert.Multiple(() =>
        {
            foreach (var (status, outcome) in (ReadOnlySpan<(string, string)>)[("Succeeded", "succeeded"), ("Failed", "failed")])
            {
                foreach (var (remote, upgrader) in (ReadOnlySpan<(bool, string)>)[(false, "in_platform"), (true, "remote")])
                {
                    Assert.That(after.Sum("pushapi_push_jobs_completed_total", ("outcome", outcome), ("upgrader", upgrader)), Is.EqualTo(completed.GetValueOrDefault((status, remote))), $"{outcome} {upgrader}");
                }
            }

            foreach (var status in (string[])["Created", "Pending", "In Progress", "Succeeded", "Failed", "Canceled"])
            {
                foreach (var (remote, upgrader) in (ReadOnlySpan<(bool, string)>)[(false, "in_platform"), (true, "remote")])
                {
                    Assert.That(after.Sum("pushapi_push_jobs", ("status", status), ("upgrader", upgrader)), Is.EqualTo(live.GetValueOrDefault((status, remote))), $"live jobs {status} {upgrader}");
                }
            }

            Assert.That(after.Sum("pushapi_push_jobs", ("status", "Pending")), Is.EqualTo(20), "the later push's jobs");
            // This push's share: the counters are the server's since it started (other tests' pushes included).
            Assert.That(Delta("pushapi_push_jobs_completed_total"), Is.EqualTo(300));
            Assert.That(Delta("pushapi_push_job_duration_seconds_count"), Is.EqualTo(300));
            Assert.That(Delta("pushapi_push_claim_size_sum"), Is.EqualTo(300), "every job claimed once");
            Assert.That(Delta("pushapi_push_complete_size_sum"), Is.EqualTo(300));
            Assert.That(Delta("pushapi_push_start_lag_seconds_count"), Is.EqualTo(1), "one request started");
            Assert.That(after.Sum("pushapi_push_queue_depth"), Is.Zero);
            Assert.That(after.Sum("http_server_request_duration_seconds_count", ("front_end", "rest")), Is.GreaterThan(0));
            Assert.That(after.Sum("http_server_request_duration_seconds_count", ("front_end", "native")), Is.GreaterThan(0));
            Assert.That(after.Sum("db_client_connection_max", ("db_client_connection_pool_name", "engine")), Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task Bulk_query_rows_are_counted()
    {
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        await push.TenantsAsync(3);
        var before = await PrometheusScrape.TakeAsync(_scraper, Token);
        using var http = _server.CreateClient();
        var rows = await new BulkV1Client(http, await _server.GetTokenAsync(), "62.0").QueryAsync("PackageSubscriber", "SELECT Id, OrgKey FROM PackageSubscriber");

        var after = await PrometheusScrape.TakeAsync(_scraper, Token);
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(4), "a header and the subscribers");
        Assert.That(after.Sum("pushapi_bulk_rows_total", ("api", "query"), ("result", "returned")) - before.Sum("pushapi_bulk_rows_total", ("api", "query")), Is.EqualTo(rows.Count - 1));
        Assert.That(after.Sum("http_server_request_duration_seconds_count", ("front_end", "bulk")), Is.GreaterThanOrEqualTo(4));
    }

    [Test]
    public async Task Each_call_the_rate_limiter_refuses_counts_for_its_front_end()
    {
        using var user = await _server.CreateUserAndLoginAsync("Read");
        var before = await PrometheusScrape.TakeAsync(_scraper, Token);
        var refused = 0;
        for (var i = 0; i < 100; i++)
        {
            using var response = await user.GetAsync("/services/data/v62.0/");
            refused += (await response.Content.ReadAsStringAsync()).Contains("REQUEST_LIMIT_EXCEEDED", StringComparison.Ordinal) ? 1 : 0;
        }

        var after = await PrometheusScrape.TakeAsync(_scraper, Token);
        Assert.That(refused, Is.GreaterThan(0));
        Assert.That(after.Sum("pushapi_http_rate_limit_refusals_total", ("front_end", "rest")) - before.Sum("pushapi_http_rate_limit_refusals_total", ("front_end", "rest")), Is.EqualTo(refused));
        Assert.That(after.Sum("pushapi_http_rate_limit_refusals_total", ("front_end", "soap")), Is.Zero);
    }

    [Test]
    public async Task Every_metric_the_Grafana_dashboard_queries_is_in_a_scrape()
    {
        // The push histograms exist once a push has run.
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, await push.TenantsAsync(3));
        await push.ScheduleAsync(request);
        await push.WaitForAsync(request, TimeSpan.FromSeconds(30), "Succeeded", "Failed");

        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Repository.PathOf("docs", "ops", "grafana-dashboard.json")));
        var queried = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.TryGetProperty("targets", out var targets) ? targets.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .SelectMany(t => MetricName().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Value))
            .ToHashSet();
        Assert.That(queried, Has.Count.GreaterThanOrEqualTo(15), "the dashboard's panels query the metrics");

        var scrape = await PrometheusScrape.TakeAsync(_scraper, Token);
        var labels = scrape.Samples.SelectMany(s => s.Labels.Keys).ToHashSet();
        Assert.That(queried.Where(name => !scrape.Names.Contains(name) && !labels.Contains(name)), Is.Empty, "metrics the dashboard queries but /metrics lacks");
    }

    /// <summary>A scrape taken once the engine is idle and the gauges' cache has expired.</summary>
    private async Task<PrometheusScrape> SettledScrapeAsync()
    {
        await Task.Delay(500);
        return await PrometheusScrape.TakeAsync(_scraper, Token);
    }

    private async Task<Dictionary<(string Status, bool Remote), double>> CountsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<(string, bool), double>();
        while (await reader.ReadAsync())
        {
            counts[(reader.GetString(0), reader.GetBoolean(1))] = reader.GetInt64(2);
        }

        return counts;
    }

    /// <summary>Metric names in PromQL: pushapi_…, http_server_…, db_client_… (the rest of an expression is functions and labels).</summary>
    [GeneratedRegex(@"\b(?:pushapi|http_server|db_client|dotnet|kestrel)_[a-z_]+\b")]
    private static partial Regex MetricName();
}
