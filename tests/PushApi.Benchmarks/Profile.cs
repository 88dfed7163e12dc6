using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace PushApi.Benchmarks;

/// <summary>
/// With <c>--profile</c>: where a push's time goes. The run's PostgreSQL loads <c>pg_stat_statements</c>; around one push
/// it records the CPU seconds of the server process, of PostgreSQL's processes and of the harness, and the statements
/// by total execution time. Printed to standard error and appended to <c>bench-profile.txt</c> next to the JSON.
/// </summary>
public sealed class Profile
{
    /// <summary>The <c>postgresql.conf</c> lines a profiled run needs.</summary>
    public static readonly IReadOnlyList<string> PostgresSettings =
        [
            "shared_preload_libraries = 'pg_stat_statements,auto_explain'", "pg_stat_statements.track = all", "track_io_timing = on",
            "auto_explain.log_min_duration = '20ms'", "auto_explain.log_analyze = on", "auto_explain.log_buffers = on", "auto_explain.log_nested_statements = on", "auto_explain.log_triggers = on", "log_lock_waits = on", "deadlock_timeout = '5ms'", "auto_explain.sample_rate = 0.05",
            "log_autovacuum_min_duration = 0",
        ];

    private readonly ScenarioContext _context;
    private readonly string _name;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly int[] _otherServers;
    private (double Server, double Postgres, double Harness) _start;
    private double[] _startInstances = [];
    private string _startTables = "";

    private Profile(ScenarioContext context, string name, int[] otherServers)
    {
        _context = context;
        _name = name;
        _otherServers = otherServers;
    }

    /// <summary>
    /// Starts measuring (null without <c>--profile</c>): resets the statement statistics and reads the CPU clocks.
    /// The CPU of <paramref name="otherServers"/> (P9's second instance) counts as the server's.
    /// </summary>
    public static async Task<Profile?> StartAsync(ScenarioContext context, string name, params int[] otherServers)
    {
        if (!context.Options.Profile)
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(context.Bench.ConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        var profile = new Profile(context, name, otherServers);
        profile._startTables = await TableActivityAsync(connection);
        profile._start = profile.CpuSeconds();
        profile._startInstances = profile.InstanceSeconds();
        profile._watch.Restart();
        return profile;
    }

    public async Task ReportAsync()
    {
        var wall = _watch.Elapsed.TotalSeconds;
        var end = CpuSeconds();
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"## Profile: {_name}, {wall:0.00} s wall, 2 cores = {2 * wall:0.00} CPU-s available")
            .AppendLine("| Process | CPU s | share of wall × cores |")
            .AppendLine("|---|---|---|");
        foreach (var (what, seconds) in new[] { ("server", end.Server - _start.Server), ("PostgreSQL", end.Postgres - _start.Postgres), ("harness", end.Harness - _start.Harness) })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {seconds:0.00} | {seconds / (2 * wall):P0} |");
        }

        if (_otherServers.Length > 0)
        {
            var instances = InstanceSeconds().Zip(_startInstances, (after, before) => $"{after - before:0.00}");
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Server CPU s by instance (first, then the others): {string.Join(" + ", instances)}");
        }

        text.AppendLine().AppendLine("| Statement (pg_stat_statements, by total time) | calls | total ms | ms/call | rows |").AppendLine("|---|---|---|---|---|");
        await using var connection = new NpgsqlConnection(_context.Bench.ConnectionString);
        await connection.OpenAsync();
        // Autovacuum works on the same two cores: whether it ran on the push's tables during the push shows here.
        text.AppendLine().AppendLine("Tables (relname: live, dead, autovacuum count, autoanalyze count, last autovacuum/autoanalyze):")
            .AppendLine(CultureInfo.InvariantCulture, $"before: {_startTables}").AppendLine(CultureInfo.InvariantCulture, $"after:  {await TableActivityAsync(connection)}").AppendLine();
        await using var command = new NpgsqlCommand(
            """
            SELECT calls, total_exec_time, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
            FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
            ORDER BY total_exec_time DESC LIMIT 15
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var calls = reader.GetInt64(0);
            var total = reader.GetDouble(1);
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{reader.GetString(3).Replace("|", "\\|", StringComparison.Ordinal)}` | {calls} | {total:0} | {total / Math.Max(1, calls):0.00} | {reader.GetInt64(2)} |");
        }

        Console.Error.WriteLine(text);
        var directory = Path.GetDirectoryName(Path.GetFullPath(_context.Options.Output)) ?? ".";
        await File.AppendAllTextAsync(Path.Combine(directory, "bench-profile.txt"), text.AppendLine().ToString());
        // auto_explain's plans of the slow statements (a sample of them), for reading next to the table.
        File.Copy(Path.Combine(_context.Bench.Postgres.ClusterDirectory, "log", "server.log"), Path.Combine(directory, "bench-profile-plans.log"), overwrite: true);
    }

    private double[] InstanceSeconds() => _otherServers.Prepend(_context.Bench.Server.Id).Select(pid => Stat(pid)?.Cpu ?? 0).ToArray();

    private static async Task<string> TableActivityAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT string_agg(format('%s: %s, %s, %s, %s, %s/%s', relname, n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count,
                   to_char(last_autovacuum, 'HH24:MI:SS'), to_char(last_autoanalyze, 'HH24:MI:SS')), '; ' ORDER BY relname)
            FROM pg_stat_user_tables WHERE relname IN ('push_jobs', 'push_requests')
            """, connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }

    private (double Server, double Postgres, double Harness) CpuSeconds()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(_context.Bench.Postgres.ClusterDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var postgres = 0.0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is { } stat && (pid == postmaster || stat.Parent == postmaster))
            {
                postgres += stat.Cpu;
            }
        }

        return (_otherServers.Append(_context.Bench.Server.Id).Sum(pid => Stat(pid)?.Cpu ?? 0), postgres, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
    }

    /// <summary>A process's parent and its user plus system CPU seconds (and its reaped children's), from /proc/&lt;pid&gt;/stat.</summary>
    private static (int Parent, double Cpu)? Stat(int pid)
    {
        try
        {
            var line = File.ReadAllText($"/proc/{pid}/stat");
            var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
            // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14), in ticks of 1/100 s.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            return (int.Parse(fields[1], CultureInfo.InvariantCulture), ticks / 100.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
