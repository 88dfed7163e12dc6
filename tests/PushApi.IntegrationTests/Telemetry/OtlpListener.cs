using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PushApi.IntegrationTests.Telemetry;

/// <summary>
/// An OTLP/HTTP (protobuf) trace receiver on loopback: keeps the spans of every <c>POST /v1/traces</c>, read with a
/// minimal protobuf reader (ExportTraceServiceRequest → ResourceSpans → ScopeSpans → Span: trace id, name, links).
/// </summary>
public sealed class OtlpListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpListener(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<Span> Spans { get; } = new();

    public static async Task<OtlpListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var listener = new OtlpListener(app);
        app.MapPost("/v1/traces", listener.ReceiveAsync);
        await app.StartAsync();
        listener.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        foreach (var resourceSpans in Fields(body.ToArray(), 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    Spans.Enqueue(new Span(
                        Convert.ToHexStringLower(Fields(span, 1).Single()),
                        System.Text.Encoding.UTF8.GetString(Fields(span, 5).Single()),
                        [.. Fields(span, 13).Select(link => Convert.ToHexStringLower(Fields(link, 1).Single()))]));
                }
            }
        }

        context.Response.ContentType = "application/x-protobuf";
    }

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of a protobuf message.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var i = 0;
        while (i < message.Length)
        {
            var key = Varint(message, ref i);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    Varint(message, ref i);
                    break;
                case 1:
                    i += 8;
                    break;
                case 5:
                    i += 4;
                    break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    if (field == number)
                    {
                        found.Add(message[i..(i + length)]);
                    }

                    i += length;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wire}");
            }
        }

        return found;
    }

    private static ulong Varint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>A received span: its trace id (hex), name and the trace ids it links to.</summary>
    public sealed record Span(string TraceId, string Name, IReadOnlyList<string> LinkedTraceIds);
}
