using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// Stands between PushApi and a real tenant agent, as a network hop would: it records each upgrade call,
/// and per org it can hold a call, rewrite its body (a tampered artifact) or answer in the agent's place
/// (a late answer) before anything reaches the agent. Everything else is forwarded as it came.
/// </summary>
public sealed class AgentProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Uri _agent;
    private readonly HttpClient _http = new();
    private readonly ConcurrentDictionary<string, Func<JsonObject, Task<Answer?>>> _intercepts = new();

    private AgentProxy(WebApplication app, Uri agent)
    {
        _app = app;
        _agent = agent;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>The bodies PushApi sent, in order, before any rewriting.</summary>
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    public static async Task<AgentProxy> StartAsync(Uri agent)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new AgentProxy(app, agent);
        app.MapPost("/upgrade", proxy.HandleAsync);
        await app.StartAsync();
        proxy.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/upgrade");
        return proxy;
    }

    /// <summary>
    /// Calls for the org go through <paramref name="intercept"/> first: it may change the body in place (it is
    /// forwarded when the intercept returns null) or return the answer to give without asking the agent.
    /// </summary>
    public void Intercept(string orgKey, Func<JsonObject, Task<Answer?>> intercept) => _intercepts[orgKey] = intercept;

    /// <summary>The bodies sent for one org.</summary>
    public List<JsonObject> RequestsFor(string orgKey) => [.. Requests.Where(r => r["orgKey"]!.GetValue<string>() == orgKey)];

    /// <summary>The attempt an agent request is for, read from its artifact link.</summary>
    public static int AttemptOf(JsonObject request)
    {
        var query = new Uri(request["artifact"]!["url"]!.GetValue<string>()).Query.TrimStart('?').Split('&');
        return int.Parse(query.Single(p => p.StartsWith("attempt=", StringComparison.Ordinal))["attempt=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        Requests.Enqueue((JsonObject)body.DeepClone());
        var answer = _intercepts.TryGetValue(body["orgKey"]!.GetValue<string>(), out var intercept) ? await intercept(body) : null;
        if (answer is null)
        {
            using var forward = new HttpRequestMessage(HttpMethod.Post, _agent) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            forward.Headers.Authorization = AuthenticationHeaderValue.Parse(context.Request.Headers.Authorization.ToString());
            forward.Headers.Add("Idempotency-Key", context.Request.Headers["Idempotency-Key"].ToString());
            using var response = await _http.SendAsync(forward, context.RequestAborted);
            answer = new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(context.RequestAborted));
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>An answer to give PushApi: the status and the JSON body.</summary>
    public sealed record Answer(int Status, string Body);
}
