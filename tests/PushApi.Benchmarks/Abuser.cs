using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P17's load generator, the harness started again in its own process (<c>--abuser url token rest|soap perSecond seconds
/// target phases</c>): one user sending <c>perSecond</c> calls a second, far above its limit, from 16 connections, each call sent
/// at its planned time whatever the answers (open loop, so a slow answer does not slow the abuse), from the phases' start and
/// only in their "on" halves (<see cref="AbusePhases"/>). Prints one line:
/// <c>sent refused p50_ms p99_ms</c> (refused: 403 on REST, a REQUEST_LIMIT_EXCEEDED fault on SOAP).
/// </summary>
public static class Abuser
{
    private const int Connections = 16;

    public static async Task RunAsync(string[] args)
    {
        var baseAddress = new Uri(args[0]);
        var token = args[1];
        var soap = args[2] == "soap";
        var perSecond = int.Parse(args[3], CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(double.Parse(args[4], CultureInfo.InvariantCulture));
        var target = args[5];
        var phases = AbusePhases.Parse(args[6]);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = soap ? null : new AuthenticationHeaderValue("Bearer", token);
        var envelope = soap ? Envelope(token, target) : "";
        var interval = TimeSpan.FromSeconds(Connections / (double)perSecond);
        var latencies = new List<double>[Connections];
        var refused = new int[Connections];
        await SendAsync(client, soap, target, envelope, [], new int[Connections], 0); // connect and JIT before the start
        await phases.WaitForStartAsync();
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async n =>
        {
            latencies[n] = [];
            var pending = new List<Task>();
            for (var i = 0; ; i++)
            {
                var due = (interval * i) + (interval * n / Connections);
                if (due > duration)
                {
                    break;
                }

                var wait = due - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                if (!phases.IsOn(phases.Start + due))
                {
                    continue;
                }

                pending.Add(SendAsync(client, soap, target, envelope, latencies[n], refused, n));
                pending.RemoveAll(t => t.IsCompleted);
            }

            await Task.WhenAll(pending);
        }));
        var all = latencies.SelectMany(l => { lock (l) { return l.ToList(); } }).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{all.Count} {refused.Sum()} {Percentile(all, 50):0.00} {Percentile(all, 99):0.00}"));
    }

    /// <summary>A SOAP query envelope carrying the session in its header, as Salesforce clients send it.</summary>
    public static string Envelope(string session, string query) =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:enterprise.soap.sforce.com">
          <soapenv:Header><SessionHeader><sessionId>{session}</sessionId></SessionHeader></soapenv:Header>
          <soapenv:Body><query><queryString>{query}</queryString></query></soapenv:Body>
        </soapenv:Envelope>
        """;

    public static HttpRequestMessage SoapRequest(string envelope)
    {
        var content = new StringContent(envelope, Encoding.UTF8, "text/xml");
        content.Headers.Add("SOAPAction", "\"\"");
        return new HttpRequestMessage(HttpMethod.Post, "/services/Soap/c/62.0") { Content = content };
    }

    private static async Task SendAsync(HttpClient client, bool soap, string target, string envelope, List<double> latencies, int[] refused, int n)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var request = soap ? SoapRequest(envelope) : new HttpRequestMessage(HttpMethod.Get, target);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode == 403 || body.Contains("REQUEST_LIMIT_EXCEEDED", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref refused[n]);
            }
        }
        catch (HttpRequestException)
        {
            // Counted as sent; the server or the network gave up on it.
        }

        lock (latencies)
        {
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}
