using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Npgsql;
using PushApi.LocalPostgres;

namespace PushApi.Benchmarks;

/// <summary>
/// What a run needs: a throwaway PostgreSQL, the server as its own process (Release build next to
/// the harness), an administrator token, and the <see cref="PushApiClient"/> that sets data up through the public APIs.
/// </summary>
public sealed class Bench : IAsyncDisposable
{
    public const string Username = "bench@pushapi.local";
    public const string Password = "Bench-Password-1";
    private readonly List<Process> _processes = [];

    private Bench(LocalPostgresCluster postgres, string dataDirectory)
    {
        Postgres = postgres;
        DataDirectory = dataDirectory;
    }

    public LocalPostgresCluster Postgres { get; }

    public string DataDirectory { get; }

    public string ConnectionString => Postgres.ConnectionString;

    public Process Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string Token { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public PushApiClient Api { get; private set; } = null!;

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PushApi.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Run the harness from the repository (PushApi.sln not found above " + AppContext.BaseDirectory + ").");
        }
    }

    public static string Configuration => AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static async Task<Bench> StartAsync(BenchOptions options)
    {
        Console.Error.WriteLine($"PushApi benchmarks ({options.Mode}, {Configuration} build): starting PostgreSQL and the server…");
        var postgres = await LocalPostgresCluster.StartThrowawayAsync("bench", settings: options.Profile ? Profile.PostgresSettings : null);
        var bench = new Bench(postgres, Directory.CreateTempSubdirectory("pushapi-bench-").FullName);
        (bench.Server, bench.BaseAddress) = await bench.StartServerAsync();
        bench.Http = bench.Client(bench.BaseAddress, 64);
        bench.Token = await PushApiClient.LoginAsync(bench.Http);
        bench.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bench.Token);
        bench.Api = new PushApiClient(bench.Http);
        return bench;
    }

    /// <summary>Starts a server process on the benchmark database (a second one for P9; one with its own settings for P17).</summary>
    public async Task<(Process Process, Uri BaseAddress)> StartServerAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var dll = Path.Combine(RepositoryRoot, "src", "PushApi.Server", "bin", Configuration, "net10.0", "PushApi.Server.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DataDirectory };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ConnectionStrings__PushApi"] = ConnectionString;
        start.Environment["PushApi__DataDirectory"] = Path.Combine(DataDirectory, "server-" + port.ToString(CultureInfo.InvariantCulture));
        start.Environment["PushApi__Bootstrap__Username"] = Username;
        start.Environment["PushApi__Bootstrap__Password"] = Password;
        start.Environment["PushApi__RateLimit__RequestsPerSecond"] = "1000000";
        start.Environment["PushApi__RateLimit__Burst"] = "1000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["PushApi__Features__MassDeployment"] = "true";
        start.Environment["PushApi__Features__InstallFromFile"] = "true";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Start(start);
        var address = new Uri($"http://127.0.0.1:{port}");
        await WaitReadyAsync(address, "/health/ready", process);
        return (process, address);
    }

    /// <summary>Starts the raw-Npgsql control endpoint of P4 in its own process.</summary>
    public async Task<Uri> StartControlServerAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Bench).Assembly.Location);
        start.ArgumentList.Add("--control-server");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(ConnectionString);
        var process = Start(start);
        var address = new Uri($"http://127.0.0.1:{port}");
        await WaitReadyAsync(address, "/ready", process);
        return address;
    }

    /// <summary>
    /// Starts the harness again as P17's load generator (<see cref="Abuser"/>), in its own process so its CPU is not the
    /// measuring client's; its one line of results is read from its output when it ends.
    /// </summary>
    /// <summary>P17's load generator in its own process; it starts at <paramref name="phases"/>' start and sends only in their "on" halves.</summary>
    public static Process StartAbuser(Uri baseAddress, string token, string front, int perSecond, TimeSpan duration, string target, AbusePhases phases)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            typeof(Bench).Assembly.Location, "--abuser", baseAddress.ToString(), token, front, perSecond.ToString(CultureInfo.InvariantCulture),
            duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), target, phases.ToArgument(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    public HttpClient Client(Uri baseAddress, int connections, string? token = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if ((token ?? Token) is { } bearer)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }


    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Kills a process the harness started (a server instance) and waits for it.</summary>
    public static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>The resident memory of a process, in MB (Linux /proc).</summary>
    public static double RssMb(Process process)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return 0;
    }

    public static long Number(string id) => Core.Ids.SalesforceId.TryParseNumber(id, id[..3], out var number) ? number : throw new ArgumentException(id);

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        await Postgres.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }


    private Process Start(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("  [server] " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private static async Task WaitReadyAsync(Uri address, string path, Process process)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(90);
        while (TimeProvider.System.GetUtcNow().UtcDateTime < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the process for {address} exited with {process.ExitCode}");
            }

            try
            {
                using var response = await client.GetAsync(path);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{address} did not become ready");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
