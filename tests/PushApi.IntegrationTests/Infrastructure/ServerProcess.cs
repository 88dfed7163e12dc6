using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// The real server as a separate process (<c>dotnet PushApi.Server.dll</c>), for what only a process
/// shows: start-up without configuration, TLS endpoints, signals, kill -9.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public string Output => string.Join("\n", _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>Starts the server in <paramref name="workingDirectory"/> with only the given settings (environment names, e.g. <c>PushApi__DataDirectory</c>).</summary>
    public static ServerProcess Start(string workingDirectory, IDictionary<string, string?> environment, string scheme = "http", int? port = null)
    {
        port ??= FreePort();
        var baseAddress = new Uri($"{scheme}://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.GetLeftPart(UriPartial.Authority));
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("PushApi__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ServerProcess(Process.Start(start)!, baseAddress);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (the client may need to trust a certificate).</summary>
    public async Task WaitUntilReadyAsync(HttpClient client, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime + (timeout ?? TimeSpan.FromSeconds(90));
        while (TimeProvider.System.GetUtcNow().UtcDateTime < deadline)
        {
            Assert.That(_process.HasExited, Is.False, "the server exited: " + Output);
            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        Assert.Fail("the server did not become ready: " + Output);
    }

    /// <summary>Waits until the server is ready, then returns a client signed in as the given user (password grant).</summary>
    public async Task<HttpClient> LoginAsync(string username, string password, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        await WaitUntilReadyAsync(client);
        using var token = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = username,
            ["password"] = password,
        }));
        var body = await token.ExpectAsync(System.Net.HttpStatusCode.OK);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", body.Text("access_token"));
        return client;
    }

    /// <summary>SIGTERM, as a service manager or Ctrl+C stops it; SIGKILL if it does not end in time.</summary>
    public void StopGracefully(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signal("TERM");
        if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            Kill();
        }
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            Signal("KILL");
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }
    }

    public void Dispose()
    {
        StopGracefully();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
