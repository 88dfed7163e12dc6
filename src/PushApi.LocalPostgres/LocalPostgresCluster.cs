using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace PushApi.LocalPostgres;

/// <summary>How to run a local cluster.</summary>
public sealed record LocalPostgresOptions
{
    /// <summary>Directory that holds the cluster; created (with initdb) when empty.</summary>
    public required string Directory { get; init; }

    /// <summary>The database the connection string names; created when missing.</summary>
    public string Database { get; init; } = "pushapi";

    /// <summary>
    /// A throwaway cluster trades durability for speed (no fsync) and is deleted when disposed.
    /// </summary>
    public bool Throwaway { get; init; }

    public int MaxConnections { get; init; } = 200;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Receives one line per step (initdb, start, reuse, stop).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>More <c>postgresql.conf</c> lines for a new cluster (the benchmark's profile adds <c>pg_stat_statements</c>).</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];
}

/// <summary>
/// A PostgreSQL server started from the machine's binaries on a free loopback port: the embedded
/// default of the service (persistent directory) and the throwaway database of the tests.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const string SuperUser = "pushapi";
    private const string PasswordFileName = "superuser.password";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly PostgresBinaries _binaries;
    private readonly LocalPostgresOptions _options;
    private readonly string _password;
    private int _disposed;

    private LocalPostgresCluster(PostgresBinaries binaries, LocalPostgresOptions options, string clusterDirectory, string password, int port, bool adopted)
    {
        _binaries = binaries;
        _options = options;
        ClusterDirectory = clusterDirectory;
        _password = password;
        Port = port;
        Adopted = adopted;
    }

    /// <summary>The PostgreSQL data directory (inside <see cref="LocalPostgresOptions.Directory"/>, or a
    /// directory the postgres user can reach when that one is not).</summary>
    public string ClusterDirectory { get; }

    public int Port { get; }

    /// <summary>True when an already running server on this directory was reused (left behind by a killed process).</summary>
    public bool Adopted { get; }

    public string ConnectionString => ConnectionStringFor(_options.Database);

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = _password,
        Database = database,
    }.ConnectionString;

    /// <summary>Starts a throwaway cluster in a new temporary directory, removed on dispose.</summary>
    public static Task<LocalPostgresCluster> StartThrowawayAsync(string database = "pushapi", Action<string>? log = null, IReadOnlyList<string>? settings = null, CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pushapi-pg-" + Guid.NewGuid().ToString("N")[..12]);
        return StartAsync(new LocalPostgresOptions { Directory = directory, Database = database, Throwaway = true, Log = log, Settings = settings ?? [] }, cancellationToken);
    }

    /// <summary>Initialises the cluster if needed, starts it (or reuses a running one) and ensures the database exists.</summary>
    public static async Task<LocalPostgresCluster> StartAsync(LocalPostgresOptions options, CancellationToken cancellationToken = default)
    {
        var binaries = PostgresBinaries.Locate();
        ProcessRunner.EnsureServiceAccountExists();

        var home = Path.GetFullPath(options.Directory);
        System.IO.Directory.CreateDirectory(home);
        var clusterDirectory = ChooseClusterDirectory(home, options);
        var password = ReadOrCreatePassword(home);

        if (!File.Exists(Path.Combine(clusterDirectory, "PG_VERSION")))
        {
            InitializeCluster(binaries, clusterDirectory, password, options);
        }

        LocalPostgresCluster cluster;
        var runningPort = FindRunningServerPort(binaries, clusterDirectory);
        if (runningPort is int port)
        {
            options.Log?.Invoke($"PostgreSQL is already running on {clusterDirectory} (port {port}); reusing it.");
            cluster = new LocalPostgresCluster(binaries, options, clusterDirectory, password, port, adopted: true);
        }
        else
        {
            cluster = new LocalPostgresCluster(binaries, options, clusterDirectory, password, StartServer(binaries, clusterDirectory, options), adopted: false);
        }

        try
        {
            await cluster.EnsureDatabaseAsync(options.Database, cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Creates a database on this cluster unless it exists.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = database });
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Created concurrently by another process: that is what we wanted.
        }
    }

    /// <summary>Whether the postmaster runs: its pid file names a live process (a zombie, exited but not reaped, is not).</summary>
    public bool IsRunning()
    {
        try
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(ClusterDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            return OperatingSystem.IsLinux()
                ? File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim()[0] != 'Z'
                : !System.Diagnostics.Process.GetProcessById(pid).HasExited;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Starts the server again on its port after it died (kill -9, a crash); its own crash recovery keeps the data. Throws when it does not start.</summary>
    public void Restart()
    {
        var result = StartOnPort(_binaries, ClusterDirectory, _options, Port);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"PostgreSQL did not start again in {ClusterDirectory}: {result.Output.Trim()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await Task.Run(() =>
        {
            var stop = ProcessRunner.RunAsServiceAccount(_binaries.PgCtl, ["stop", "-D", ClusterDirectory, "-m", "fast", "-w", "-t", "60"], CommandTimeout);
            _options.Log?.Invoke(stop.ExitCode == 0 ? "PostgreSQL stopped." : "PostgreSQL stop: " + stop.Output);
            if (_options.Throwaway)
            {
                TryDelete(Path.GetFullPath(_options.Directory));
                TryDelete(ClusterDirectory);
            }
        });
    }

    private static string ChooseClusterDirectory(string home, LocalPostgresOptions options)
    {
        var preferred = Path.Combine(home, "postgres");
        if (!ProcessRunner.IsRoot)
        {
            System.IO.Directory.CreateDirectory(preferred);
            return preferred;
        }

        // As root the server runs as 'postgres', which must be able to reach the directory. A home
        // below an unreadable parent (such as /root) gets its cluster in a directory of its own
        // under /var/lib/pushapi, named after the home so that every run finds the same one.
        System.IO.Directory.CreateDirectory(preferred);
        ProcessRunner.GiveToServiceAccount(preferred);
        if (ProcessRunner.ServiceAccountCanUse(preferred))
        {
            return preferred;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(home)))[..16].ToLowerInvariant();
        var fallback = Path.Combine("/var/lib/pushapi", hash);
        System.IO.Directory.CreateDirectory(fallback);
        ProcessRunner.GiveToServiceAccount(fallback);
        File.WriteAllText(Path.Combine(home, "postgres-location.txt"), fallback + Environment.NewLine);
        options.Log?.Invoke($"The 'postgres' user cannot reach {preferred}; the cluster lives in {fallback}.");
        return fallback;
    }

    private static string ReadOrCreatePassword(string home)
    {
        var file = Path.Combine(home, PasswordFileName);
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        File.WriteAllText(file, password);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return password;
    }

    private static void InitializeCluster(PostgresBinaries binaries, string clusterDirectory, string password, LocalPostgresOptions options)
    {
        options.Log?.Invoke($"Initialising a PostgreSQL {binaries.MajorVersion} cluster in {clusterDirectory}.");
        var passwordFile = Path.Combine(clusterDirectory, "..", $".pwfile-{Guid.NewGuid():N}");
        passwordFile = Path.GetFullPath(passwordFile);
        File.WriteAllText(passwordFile, password + "\n");
        ProcessRunner.GiveToServiceAccount(passwordFile);
        try
        {
            List<string> arguments =
            [
                "-D", clusterDirectory, "-U", SuperUser, "--pwfile", passwordFile, "-E", "UTF8", "--locale=C",
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
            ];
            if (options.Throwaway)
            {
                arguments.Add("--no-sync");
            }

            var result = ProcessRunner.RunAsServiceAccount(binaries.InitDb, arguments, CommandTimeout);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"initdb failed in {clusterDirectory}: {result.Output}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }

        var settings = new StringBuilder()
            .AppendLine()
            .AppendLine("# PushApi local cluster")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine("unix_socket_directories = ''")
            .AppendLine(CultureInfo.InvariantCulture, $"max_connections = {options.MaxConnections}")
            .AppendLine("shared_buffers = 128MB")
            .AppendLine("logging_collector = off")
            .AppendLine("timezone = 'UTC'");
        if (options.Throwaway)
        {
            settings.AppendLine("fsync = off").AppendLine("synchronous_commit = off").AppendLine("full_page_writes = off");
        }

        foreach (var line in options.Settings)
        {
            settings.AppendLine(line);
        }

        var conf = Path.Combine(clusterDirectory, "postgresql.conf");
        File.AppendAllText(conf, settings.ToString());
        ProcessRunner.GiveToServiceAccount(conf);
    }

    private static int? FindRunningServerPort(PostgresBinaries binaries, string clusterDirectory)
    {
        var pidFile = Path.Combine(clusterDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var status = ProcessRunner.RunAsServiceAccount(binaries.PgCtl, ["status", "-D", clusterDirectory], CommandTimeout);
        if (status.ExitCode != 0)
        {
            return null;
        }

        // postmaster.pid: pid, data directory, start time, port, socket dir, listen address, shmem key, status.
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private static int StartServer(PostgresBinaries binaries, string clusterDirectory, LocalPostgresOptions options)
    {
        var logDirectory = Path.Combine(clusterDirectory, "log");
        if (!System.IO.Directory.Exists(logDirectory))
        {
            System.IO.Directory.CreateDirectory(logDirectory);
            ProcessRunner.GiveToServiceAccount(logDirectory);
        }

        string lastError = "";
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var port = FindFreePort();
            var result = StartOnPort(binaries, clusterDirectory, options, port);
            if (result.ExitCode == 0)
            {
                return port;
            }

            lastError = result.Output;
        }

        throw new InvalidOperationException($"PostgreSQL did not start in {clusterDirectory}: {lastError.Trim()}");
    }

    private static ProcessResult StartOnPort(PostgresBinaries binaries, string clusterDirectory, LocalPostgresOptions options, int port)
    {
        var logFile = Path.Combine(clusterDirectory, "log", "server.log");
        options.Log?.Invoke($"Starting PostgreSQL on 127.0.0.1:{port}.");
        var result = ProcessRunner.RunAsServiceAccount(
            binaries.PgCtl,
            ["start", "-D", clusterDirectory, "-w", "-t", ((int)options.StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-l", logFile, "-o", $"-p {port}"],
            options.StartTimeout + TimeSpan.FromSeconds(10));
        return result.ExitCode == 0 ? result : result with { StandardError = result.StandardError + Environment.NewLine + ReadTail(logFile) };
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string ReadTail(string file)
    {
        try
        {
            var lines = File.ReadAllLines(file);
            return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - 10)));
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
