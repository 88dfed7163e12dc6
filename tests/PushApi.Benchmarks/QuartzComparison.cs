using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Quartz;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P1q: what a naive scheduler does instead of the engine — one Quartz trigger per job. Quartz 4.7.3 (the
/// server's own version) with its ADO job store on PostgreSQL, at its defaults (10 worker threads, one trigger
/// acquired per round, not clustered), runs in the harness's process against a database of its own in the
/// benchmark's cluster (the Quartz tables of our migration 0002). Each job does the per-job database work of
/// our completion: it updates one job row to Succeeded. Measured end to end — from the first of N triggers
/// scheduled "now", one <c>ScheduleJob</c> call each as an enqueueing caller makes them, to the N-th row
/// updated — and compared with P1's jobs/s from the same run.
/// </summary>
public static class QuartzComparison
{
    private const string Database = "bench_quartz";
    private const string SchedulerName = "NaiveBench";
    private static readonly JobKey CompleteJobKey = new("complete-job", "naive");

    public static async Task<IEnumerable<Result>> OneTriggerPerJobAsync(ScenarioContext c)
    {
        var jobs = c.Options.Smoke ? 50 : c.Options.Mode == "quick" ? 500 : 2_000;
        var connectionString = await CreateDatabaseAsync(c.Bench);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var drain = new Drain(dataSource);
        var services = new ServiceCollection().AddLogging();
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(options => options.InstanceName = SchedulerName);
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(options => options.TablePrefix = "qrtz_");
            });
        });
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        scheduler.Context.Add(nameof(Drain), drain);
        await scheduler.AddJob(JobBuilder.Create<CompleteJob>().WithIdentity(CompleteJobKey).StoreDurably().Build(), AddJobOptions.Replacing);
        await scheduler.Start();
        var rates = new List<double>();
        var scheduling = new List<double>();
        try
        {
            // One unmeasured drain first, so the measured ones do not pay for JIT and the first connections.
            await drain.RunAsync(scheduler, run: 0, Math.Min(jobs, 50));
            for (var run = 1; run <= c.Options.Repeats; run++)
            {
                (double seconds, double scheduled) = await drain.RunAsync(scheduler, run, jobs);
                rates.Add(jobs / seconds);
                scheduling.Add(scheduled);
            }
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }

        var rate = Median(rates);
        var p1 = c.SingleInstanceRate;
        var spread = string.Join(", ", rates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)));
        var note = $"runs {spread} jobs/s; scheduling the {jobs:N0} triggers took {Median(scheduling):0.0} s of it"
            + (p1 > 0 ? $"; P1 is {p1 / rate:0}x this" : "; P1 not run: no baseline");
        return [new Result("P1q", $"one Quartz trigger per job, {jobs:N0} jobs (Quartz {typeof(IScheduler).Assembly.GetName().Version?.ToString(3)})", "jobs_per_s",
            rate, p1 > 0 ? p1 : null, p1 > 0 ? rate / p1 : null, "reported; baseline P1 (anchors: 85-98 jobs/s)", null, note)];
    }

    /// <summary>
    /// Salesforce's own documented start behaviour, as text beside the measured rows (nothing to measure: its
    /// push upgrades run on Salesforce's side, when it has the resources).
    /// </summary>
    public static Documented Salesforce { get; } = new("P1sf", "Salesforce push upgrade (documented, not measured)",
        "A scheduled push begins \"as soon as resources are available\", at or after the scheduled start time; in some cases it \"could start a few hours after\" it.",
        "Salesforce packaging developer guide (pkg2_dev), \"Schedule a Push Upgrade Using SOAP API\", release 258.0");

    /// <summary>Creates the comparison's own database (again, if an earlier run left it) with Quartz's tables from our migration.</summary>
    private static async Task<string> CreateDatabaseAsync(Bench bench)
    {
        await bench.ExecuteAsync($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await bench.ExecuteAsync($"CREATE DATABASE {Database}");
        var connectionString = new NpgsqlConnectionStringBuilder(bench.ConnectionString) { Database = Database }.ConnectionString;
        var assembly = typeof(Core.Ids.SalesforceId).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("0002_quartz.sql", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(await reader.ReadToEndAsync(), connection);
        await command.ExecuteNonQueryAsync();
        await using var setup = new NpgsqlCommand($"""
            INSERT INTO qrtz_locks (sched_name, lock_name) VALUES ('{SchedulerName}', 'TRIGGER_ACCESS'), ('{SchedulerName}', 'STATE_ACCESS');
            CREATE TABLE naive_jobs (id bigint PRIMARY KEY, status text NOT NULL, end_time timestamptz);
            """, connection);
        await setup.ExecuteNonQueryAsync();
        return connectionString;
    }

    /// <summary>One drain's state, shared with the jobs through the scheduler's context: the data source and the count of completions.</summary>
    private sealed class Drain(NpgsqlDataSource dataSource)
    {
        private int _remaining;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public NpgsqlDataSource DataSource { get; } = dataSource;

        /// <summary>Resets the job rows to Pending, schedules one trigger per row and waits for every row to be Succeeded; returns the seconds of it all and of the scheduling.</summary>
        public async Task<(double Seconds, double Scheduling)> RunAsync(IScheduler scheduler, int run, int jobs)
        {
            foreach (var sql in new[] { $"TRUNCATE naive_jobs; INSERT INTO naive_jobs (id, status) SELECT g, 'Pending' FROM generate_series(1, {jobs}) g", "ANALYZE naive_jobs" })
            {
                await using var reset = DataSource.CreateCommand(sql);
                await reset.ExecuteNonQueryAsync();
            }

            _remaining = jobs;
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var watch = Stopwatch.StartNew();
            for (var row = 1; row <= jobs; row++)
            {
                await scheduler.ScheduleJob(TriggerBuilder.Create()
                    .WithIdentity($"run{run}-job{row}", "naive")
                    .ForJob(CompleteJobKey)
                    .UsingJobData("row", row.ToString(CultureInfo.InvariantCulture))
                    .StartNow()
                    .Build());
            }

            var scheduling = watch.Elapsed.TotalSeconds;
            await _done.Task.WaitAsync(TimeSpan.FromMinutes(10));
            var seconds = watch.Elapsed.TotalSeconds;
            await using var check = DataSource.CreateCommand("SELECT count(*) FROM naive_jobs WHERE status = 'Succeeded'");
            var succeeded = (long)(await check.ExecuteScalarAsync())!;
            return succeeded == jobs ? (seconds, scheduling) : throw new InvalidOperationException($"Quartz drain {run}: {succeeded} of {jobs} rows Succeeded");
        }

        public void Completed()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.TrySetResult();
            }
        }
    }

    /// <summary>The job every trigger fires: our completion's per-job write, one row to Succeeded.</summary>
    public sealed class CompleteJob : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var drain = context.Scheduler.Context.TryGetValue(nameof(Drain), out var value) && value is Drain found ? found : throw new InvalidOperationException("no drain in the scheduler's context");
            var row = long.Parse(context.MergedJobDataMap.GetString("row")!, CultureInfo.InvariantCulture);
            await using var command = drain.DataSource.CreateCommand("UPDATE naive_jobs SET status = 'Succeeded', end_time = now() WHERE id = $1 AND status = 'Pending'");
            command.Parameters.Add(new NpgsqlParameter { Value = row });
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                drain.Completed();
            }
        }
    }
}

/// <summary>A row of the table that is documented behaviour rather than a measurement (printed as text, written to the JSON's "documented").</summary>
public sealed record Documented(string Id, string What, string Text, string Source);
