using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// A tenant's upgrade agent on loopback, as PushApi's remote upgrader calls it: it checks Basic
/// authentication, counts the calls per push job id, and answers as each org is set up to (a delay,
/// a sequence of statuses, an error body).
/// </summary>
public sealed class FakeAgent : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Behaviour> _behaviours = new();

    private FakeAgent(WebApplication app)
    {
        _app = app;
    }

    public const string Username = "agent-user";
    public const string Password = "agent-Passw0rd";

    public Uri Url { get; private set; } = null!;

    /// <summary>Calls per push job id (the idempotency key).</summary>
    public ConcurrentDictionary<string, int> CallsPerJob { get; } = new();

    /// <summary>The <c>Idempotency-Key</c> header of every call, per push job id.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> KeysPerJob { get; } = new();

    /// <summary>The bodies received, in order.</summary>
    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    public int RejectedAuthentications => _rejected;

    private int _rejected;

    /// <summary>What every org gets unless set otherwise.</summary>
    public Behaviour Default { get; set; } = new();

    public static async Task<FakeAgent> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var agent = new FakeAgent(app);
        app.MapPost("/upgrade", agent.HandleAsync);
        await app.StartAsync();
        agent.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/upgrade");
        return agent;
    }

    public void Set(string orgKey, Behaviour behaviour) => _behaviours[orgKey] = behaviour;

    public object AgentFor() => new { url = Url.ToString(), username = Username, password = Password };

    private async Task HandleAsync(HttpContext context)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            Interlocked.Increment(ref _rejected);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
        Requests.Enqueue(body);
        var jobId = body.GetProperty("pushJobId").GetString()!;
        var call = CallsPerJob.AddOrUpdate(jobId, 1, (_, n) => n + 1);
        KeysPerJob.GetOrAdd(jobId, _ => new ConcurrentQueue<string>()).Enqueue(context.Request.Headers["Idempotency-Key"].ToString());
        var behaviour = _behaviours.GetValueOrDefault(body.GetProperty("orgKey").GetString()!) ?? Default;
        if (behaviour.Delay > TimeSpan.Zero)
        {
            await Task.Delay(behaviour.Delay, context.RequestAborted);
        }

        var status = behaviour.Statuses.Count == 0 ? 200 : behaviour.Statuses[Math.Min(call, behaviour.Statuses.Count) - 1];
        context.Response.StatusCode = status;
        if (status >= 400 && behaviour.ErrorBody is { } error)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>How the agent answers one org: after a delay, the n-th call gets the n-th status (the last one repeats).</summary>
    public sealed record Behaviour
    {
        public TimeSpan Delay { get; init; }

        public IReadOnlyList<int> Statuses { get; init; } = [];

        public string? ErrorBody { get; init; }
    }
}
