using Npgsql;
using PushApi.Core.Persistence;
using PushApi.IntegrationTests.Infrastructure;
using Quartz;

namespace PushApi.IntegrationTests.Database;

public class MigrationTests
{
    [Test]
    public async Task Migrations_apply_to_an_empty_database_and_a_second_run_changes_nothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateEmptyDatabaseAsync("migrate"));
        await using var connection = await dataSource.OpenConnectionAsync();

        var first = await MigrationRunner.ApplyAsync(connection);
        Assert.That(first, Is.EqualTo(MigrationRunner.All.Select(m => m.Version)));
        var tablesAfterFirst = await TablesAsync(connection);
        Assert.That(tablesAfterFirst, Is.SupersetOf(new[] { "packages", "package_versions", "tenants", "installations", "push_requests", "push_jobs", "push_errors", "users", "api_clients", "sessions", "qrtz_triggers", "schema_migrations" }));

        var second = await MigrationRunner.ApplyAsync(connection);
        Assert.That(second, Is.Empty);
        Assert.That(await TablesAsync(connection), Is.EqualTo(tablesAfterFirst));
        Assert.That(await MigrationRunner.ReadCurrentVersionAsync(connection), Is.EqualTo(MigrationRunner.LatestVersion));
    }

    [Test]
    public async Task A_migration_changed_after_it_was_applied_stops_the_start()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateEmptyDatabaseAsync("tamper"));
        await using var connection = await dataSource.OpenConnectionAsync();
        await MigrationRunner.ApplyAsync(connection);
        await using (var tamper = new NpgsqlCommand("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", connection))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => MigrationRunner.ApplyAsync(connection));
        Assert.That(e!.Message, Does.Contain("changed after it was applied"));
    }

    [Test]
    public async Task Instances_migrating_at_once_under_the_startup_lock_apply_each_script_once()
    {
        var connectionString = await TestPostgres.CreateEmptyDatabaseAsync("race");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var startupLock = await StartupLock.AcquireAsync(dataSource);
            return await MigrationRunner.ApplyAsync(startupLock.Connection);
        })));

        Assert.That(results.SelectMany(r => r).Order(), Is.EqualTo(MigrationRunner.All.Select(m => m.Version)), "every version applied by exactly one instance");
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
        Assert.That(await count.ExecuteScalarAsync(), Is.EqualTo((long)MigrationRunner.All.Count));
    }

    [Test]
    public async Task The_Quartz_tables_work_with_a_clustered_Quartz_scheduler()
    {
        var connectionString = await TestPostgres.CreateEmptyDatabaseAsync("quartz");
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await MigrationRunner.ApplyAsync(connection);
        }

        // Quartz validates at start that every table it uses can be queried (SchemaProvisioning.Validate).
        await using var factory = QuartzSchedulerBuilder.Create(quartz =>
        {
            quartz.ConfigureScheduler(options => options.InstanceName = "PushApi");
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering(_ => { });
                store.ConfigureStore(options => options.SchemaProvisioning = SchemaProvisioning.Validate);
            });
        }).Build();
        var scheduler = await factory.GetScheduler();
        try
        {
            await scheduler.Start();
            var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            SignalJob.Signal = ran;
            var job = JobBuilder.Create<SignalJob>().WithIdentity("probe").RequestRecovery().Build();
            var trigger = TriggerBuilder.Create().WithIdentity("probe").StartNow().Build();
            await scheduler.ScheduleJob(job, trigger);
            Assert.That(await Task.WhenAny(ran.Task, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(ran.Task), "the job ran from the persistent store");
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }
    }

    private static async Task<List<string>> TablesAsync(NpgsqlConnection connection)
    {
        var tables = new List<string>();
        await using var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    public sealed class SignalJob : IJob
    {
        public static TaskCompletionSource? Signal { get; set; }

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            Signal?.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
