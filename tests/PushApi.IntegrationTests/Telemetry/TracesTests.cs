using System.Net;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Telemetry;

/// <summary>
/// A server with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set (OTLP over HTTP/protobuf to a listener here) and no metrics token:
/// each push batch is a <c>push.batch</c> span linked to the trace of the request that scheduled the push.
/// </summary>
public sealed class TracesTests
{
    private OtlpListener _collector = null!;
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _collector = await OtlpListener.StartAsync();
        _server = await PushApiServer.StartOnNewDatabaseAsync("traces", settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Url.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        _admin = await _server.LoginAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _admin.Dispose();
        _server.Dispose();
        await _collector.DisposeAsync();
    }

    [Test]
    public async Task Without_a_configured_token_metrics_answer_anyone()
    {
        using var anonymous = _server.Anonymous();
        Assert.That((await PrometheusScrape.TakeAsync(anonymous)).Names, Does.Contain("pushapi_push_queue_depth"));
        Assert.That((await PrometheusScrape.TakeAsync(anonymous, token: "any")).Names, Does.Contain("pushapi_push_queue_depth"));
    }

    [Test]
    public async Task Each_push_batch_is_a_span_linked_to_the_trace_of_the_call_that_scheduled_the_push()
    {
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, await push.TenantsAsync(5));

        // The client's own trace: the service continues it, and the push remembers it.
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var schedule = new HttpRequestMessage(HttpMethod.Patch, $"/services/data/v62.0/sobjects/PackagePushRequest/{request}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { Status = "Pending" }),
            Headers = { { "traceparent", $"00-{traceId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01" } },
        };
        using (var scheduled = await _admin.SendAsync(schedule))
        {
            Assert.That(scheduled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        await push.WaitForAsync(request, TimeSpan.FromSeconds(30), "Succeeded");
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var id);
        await using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var stored = new NpgsqlCommand($"SELECT scheduled_by_traceparent FROM push_requests WHERE id = {id}", connection);
            Assert.That(await stored.ExecuteScalarAsync(), Does.StartWith($"00-{traceId}-"));
        }

        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(15);
        while (!_collector.Spans.Any(s => s.Name == "push.batch" && s.LinkedTraceIds.Contains(traceId)) && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(100);
        }

        var batches = _collector.Spans.Where(s => s.Name == "push.batch" && s.LinkedTraceIds.Contains(traceId)).ToList();
        Assert.That(batches, Is.Not.Empty, $"spans received: {string.Join(", ", _collector.Spans.Select(s => s.Name).Distinct())}");
        Assert.That(batches.Select(b => b.TraceId), Has.None.EqualTo(traceId), "a batch has its own trace, linked to the scheduling one");
        Assert.That(_collector.Spans.Any(s => s.TraceId == traceId), Is.True, "the scheduling call's own span is exported too");
    }
}
