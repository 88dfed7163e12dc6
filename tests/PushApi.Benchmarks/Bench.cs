using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using PushApi.LocalPostgres;

namespace PushApi.Benchmarks;

/// <summary>Sizes of a run: full (PERFORMANCE.md), quick (under 5 minutes) or smoke (seconds, for the test suite).</summary>
public sealed record BenchOptions(string Mode, int Jobs, int Repeats, TimeSpan LoadDuration, HashSet<string>? Only, string Output)
{
    public bool Smoke => Mode == "smoke";

    public static BenchOptions Parse(string[] args)
    {
        var mode = args.Contains("--smoke") ? "smoke" : args.Contains("--quick") ? "quick" : "full";
        var only = Value(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant()).ToHashSet();
        var output = Value(args, "--out") ?? "bench-results.json";
        return mode switch
        {
            "smoke" => new BenchOptions(mode, 600, 1, TimeSpan.FromSeconds(1), only, output),
            "quick" => new BenchOptions(mode, 20_000, 3, TimeSpan.FromSeconds(3), only, output),
            _ => new BenchOptions(mode, 100_000, 3, TimeSpan.FromSeconds(8), only, output),
        };
    }

    public bool Runs(string id) => Only is null || Only.Contains(id);

    private static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}

/// <summary>
/// What a run needs: a throwaway PostgreSQL, the server as its own process (Release build next to
/// the harness), an administrator token, and helpers that set data up through the public APIs.
/// </summary>
public sealed class Bench : IAsyncDisposable
{
    public const string Username = "bench@pushapi.local";
    public const string Password = "Bench-Password-1";
    private readonly List<Process> _processes = [];
    private int _orgSequence;

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
        var postgres = await LocalPostgresCluster.StartThrowawayAsync("bench");
        var bench = new Bench(postgres, Directory.CreateTempSubdirectory("pushapi-bench-").FullName);
        (bench.Server, bench.BaseAddress) = await bench.StartServerAsync();
        bench.Http = bench.Client(bench.BaseAddress, 64);
        bench.Token = await bench.LoginAsync(bench.Http);
        bench.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bench.Token);
        return bench;
    }

    /// <summary>Starts a server process on the benchmark database (a second one for P9).</summary>
    public async Task<(Process Process, Uri BaseAddress)> StartServerAsync()
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
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
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

    public async Task<string> CreatePackageAsync(string name)
    {
        var namespacePrefix = "b" + Guid.NewGuid().ToString("N")[..8];
        return await PostAsync("/api/v1/packages", new { name, namespacePrefix }, "id");
    }

    public Task<string> CreateVersionAsync(string package, int major) =>
        PostAsync($"/api/v1/packages/{package}/versions", new { name = $"{major}.0", majorVersion = major, minorVersion = 0, releaseState = "Released" }, "id");

    /// <summary>Imports tenants with the package version installed (CSV, 100,000 per call); returns their org keys.</summary>
    public async Task<List<string>> TenantsAsync(int count, string version)
    {
        var keys = new List<string>(count);
        for (var done = 0; done < count; done += 100_000)
        {
            var csv = new StringBuilder("orgKey,orgName,orgType,orgStatus,packageVersionId\n");
            for (var i = done; i < Math.Min(count, done + 100_000); i++)
            {
                var key = "00DBn" + Interlocked.Increment(ref _orgSequence).ToString("D10", CultureInfo.InvariantCulture);
                keys.Add(key);
                csv.Append(key).Append(",Bench ").Append(key).Append(",Production,Active,").Append(version).Append('\n');
            }

            using var response = await Http.PostAsync("/api/v1/tenants/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
            await EnsureAsync(response, HttpStatusCode.OK);
        }

        return keys;
    }

    public async Task<string> RequestAsync(string version, DateTimeOffset? start = null)
    {
        var body = new Dictionary<string, object> { ["PackageVersionId"] = version };
        if (start is { } at)
        {
            body["ScheduledStartTime"] = at.ToString("O", CultureInfo.InvariantCulture);
        }

        return await PostAsync("/services/data/v62.0/sobjects/PackagePushRequest", body, "id", HttpStatusCode.Created);
    }

    /// <summary>Adds jobs with one Bulk API 2.0 job and waits for it; returns the time from upload to JobComplete.</summary>
    public async Task<TimeSpan> BulkAddAsync(string request, IReadOnlyList<string> orgs)
    {
        var csv = new StringBuilder("PackagePushRequestId,SubscriberOrganizationKey\n", orgs.Count * 40);
        foreach (var org in orgs)
        {
            csv.Append(request).Append(',').Append(org).Append('\n');
        }

        var job = await PostAsync("/services/data/v62.0/jobs/ingest", new { @object = "PackagePushJob", operation = "insert" }, "id", HttpStatusCode.OK);
        var watch = Stopwatch.StartNew();
        using (var upload = await Http.PutAsync($"/services/data/v62.0/jobs/ingest/{job}/batches", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            await EnsureAsync(upload, HttpStatusCode.Created);
        }

        using (var close = await Http.PatchAsJsonAsync($"/services/data/v62.0/jobs/ingest/{job}", new { state = "UploadComplete" }))
        {
            await EnsureAsync(close, HttpStatusCode.OK);
        }

        while (true)
        {
            var info = await Http.GetFromJsonAsync<JsonElement>($"/services/data/v62.0/jobs/ingest/{job}");
            var state = info.GetProperty("state").GetString();
            if (state == "JobComplete")
            {
                var failed = info.GetProperty("numberRecordsFailed").GetInt32();
                return failed == 0 ? watch.Elapsed : throw new InvalidOperationException($"{failed} rows failed in bulk job {job}");
            }

            if (state is "Failed" or "Aborted")
            {
                throw new InvalidOperationException($"bulk job {job} {state}");
            }

            await Task.Delay(20);
        }
    }

    public async Task SetStatusAsync(string request, string status)
    {
        using var response = await Http.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = status });
        await EnsureAsync(response, HttpStatusCode.NoContent);
    }

    public async Task<JsonElement> ProgressAsync(string request, HttpClient? client = null) =>
        await (client ?? Http).GetFromJsonAsync<JsonElement>($"/api/v1/push-requests/{request}");

    public async Task<JsonElement> WaitForAsync(string request, TimeSpan timeout, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var progress = await ProgressAsync(request);
            if (statuses.Contains(progress.GetProperty("status").GetString()))
            {
                return progress;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"request {request} still {progress.GetProperty("status").GetString()} after {timeout}");
            }

            await Task.Delay(25);
        }
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

    private async Task<string> LoginAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = Username,
            ["password"] = Password,
        }));
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private async Task<string> PostAsync(string path, object body, string property, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        await EnsureAsync(response, expected);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(property).GetString()!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
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
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
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
