using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Push.Engine;
using PushApi.Server.Agents;
using Quartz;

namespace PushApi.Server.Scheduling;

/// <summary>
/// Quartz.NET on the service's PostgreSQL, clustered: one trigger per Pending request fires the start
/// (misfires fire at once; the start is idempotent), and a reconcile job repairs what a crash can leave
/// behind. The workers that run the jobs are a hosted service of every instance with execution enabled.
/// </summary>
public static class PushScheduling
{
    public const string SchedulerName = "PushApi";
    public static readonly JobKey StartJob = new("start-push-request", "push");
    public static readonly JobKey ReconcileJob = new("reconcile-pushes", "push");
    public const string RequestIdKey = "requestId";

    public static WebApplicationBuilder AddPushApiScheduling(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var engine = builder.Configuration.GetSection("PushApi:Execution").Get<PushEngineOptions>() ?? new PushEngineOptions();
        var idleWait = builder.Configuration.GetValue<TimeSpan?>("PushApi:Scheduler:IdleWait") ?? TimeSpan.FromSeconds(1);
        var instanceId = builder.Configuration["PushApi:Scheduler:InstanceId"] ?? StableInstanceId(builder.Configuration["urls"] ?? Hosting.HostingExtensions.DefaultHttpUrl);
        services.AddOptions<PushEngineOptions>().BindConfiguration("PushApi:Execution")
            .PostConfigure(options => options.NodeId = instanceId ?? options.NodeId);
        services.AddOptions<RemoteAgentOptions>().BindConfiguration("PushApi:Agent");
        // Quartz's own store keeps its unbounded connections: its cluster locks retry on their own terms.
        services.AddSingleton<DbDataSource>(sp => sp.GetRequiredKeyedService<NpgsqlDataSource>(Core.Persistence.DatabaseWork.Maintenance));
        services.AddSingleton<PushWorker>();
        services.AddSingleton<IPushScheduler, QuartzPushScheduler>();
        services.AddHttpClient<RemoteAgentUpgrader>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddAgentArtifacts();
        services.AddHostedService<PushWorkerService>();
        services.AddHostedService<RolloutSupervisorService>();

        // The host waits for the worker's shutdown timeout (running upgrades finish or are handed back) and a margin to record them.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = engine.ShutdownTimeout + TimeSpan.FromSeconds(15));

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(options =>
            {
                options.InstanceName = SchedulerName;
                options.IdleWaitTime = idleWait;
                if (instanceId is not null)
                {
                    options.InstanceId = instanceId;
                }
            });
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(source => source.UseRegisteredDataSource = true);
                store.UseSystemTextJsonSerializer();
                // A node that stops checking in for about 7 s is dead: its acquired triggers (a start, the
                // reconcile job) are recovered by the others. Jobs' leases don't wait for this; workers rescue them.
                store.UseClustering(clustering =>
                {
                    clustering.CheckinInterval = TimeSpan.FromSeconds(2);
                    clustering.CheckinMisfireThreshold = TimeSpan.FromSeconds(5);
                });
                store.ConfigureStore(options => options.TablePrefix = "qrtz_");
            });
            quartz.AddJob<StartPushRequestJob>(job => job.WithIdentity(StartJob).StoreDurably().RequestRecovery());
            quartz.ScheduleJob<ReconcilePushesJob>(
                trigger => trigger.WithIdentity(ReconcileJob.Name, ReconcileJob.Group).StartNow()
                    .WithSimpleSchedule(schedule => schedule.WithInterval(engine.ReconcileInterval).RepeatForever()),
                job => job.WithIdentity(ReconcileJob).DisallowConcurrentExecution());
        });

        // API-only instances keep the scheduler (to store triggers) but never start it.
        services.AddQuartzHostedService(options =>
        {
            options.WaitForJobsToComplete = true;
            options.AutoStart = engine.Enabled;
        });
        return builder;
    }

    /// <summary>
    /// The cluster id of this node: the machine and the port it serves, so a service restarted where it
    /// ran before is the same node to Quartz and recovers the triggers its last run held at its first
    /// check-in, instead of waiting for the cluster to declare the old run dead. Null (a generated id)
    /// when the port is not fixed; <c>PushApi:Scheduler:InstanceId</c> overrides it.
    /// </summary>
    public static string? StableInstanceId(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()?.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal);
        return Uri.TryCreate(first, UriKind.Absolute, out var uri) && uri.Port > 0
            ? $"{Environment.MachineName}:{uri.Port.ToString(CultureInfo.InvariantCulture)}"
            : null;
    }

    public static TriggerKey TriggerOf(long requestId) => new($"request-{requestId.ToString(CultureInfo.InvariantCulture)}", "push-starts");
}

/// <summary>Schedules and unschedules the start of push requests in Quartz.</summary>
public sealed class QuartzPushScheduler(ISchedulerFactory factory) : IPushScheduler
{
    public async Task ScheduleStartAsync(long requestId, DateTimeOffset startAt, CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(PushScheduling.TriggerOf(requestId))
            .ForJob(PushScheduling.StartJob)
            .UsingJobData(PushScheduling.RequestIdKey, requestId.ToString(CultureInfo.InvariantCulture))
            .StartAt(startAt)
            .WithSimpleSchedule(schedule => schedule.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
    }

    public async Task CancelStartAsync(long requestId, CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        await scheduler.UnscheduleJob(PushScheduling.TriggerOf(requestId), cancellationToken);
    }

    public async Task<bool> HasStartAsync(long requestId, CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        return await scheduler.GetTrigger(PushScheduling.TriggerOf(requestId), cancellationToken) is not null;
    }
}

/// <summary>Starts one push request at its time. A second firing (a recovered one) finds it no longer Pending and does nothing.</summary>
public sealed class StartPushRequestJob(PushJobStore store, PushWorker worker, ILogger<StartPushRequestJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (!context.MergedJobDataMap.TryGetValue(PushScheduling.RequestIdKey, out var value)
            || !long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var requestId))
        {
            logger.LogError("A start trigger without a request id fired: {Trigger}", context.Trigger.Key);
            return;
        }

        if (await store.StartRequestAsync(requestId, cancellationToken))
        {
            worker.Wake();
        }
    }
}

/// <summary>
/// Every few seconds, on one instance of the cluster: ends requests whose last job ended without the
/// roll-up (a crash between), and schedules any Pending request whose trigger is missing (a crash
/// between the status change and the scheduling). Expired leases are the workers' own business.
/// </summary>
public sealed class ReconcilePushesJob(PushJobStore store, IPushScheduler scheduler, ILogger<ReconcilePushesJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var rolledUp = await store.RollUpAsync(null, cancellationToken);
        if (rolledUp > 0)
        {
            logger.LogInformation("Completed the roll-up of {Count} push requests.", rolledUp);
        }

        foreach (var (requestId, startAt) in await store.PendingRequestsAsync(cancellationToken))
        {
            if (!await scheduler.HasStartAsync(requestId, cancellationToken))
            {
                logger.LogWarning("Push request {RequestId} was Pending without a start trigger; scheduling it.", requestId);
                await scheduler.ScheduleStartAsync(requestId, startAt, cancellationToken);
            }
        }
    }
}

/// <summary>Runs the push worker in this instance, unless execution is disabled.</summary>
public sealed class PushWorkerService(PushWorker worker, IOptions<PushEngineOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Enabled ? worker.RunAsync(stoppingToken) : Task.CompletedTask;
}
