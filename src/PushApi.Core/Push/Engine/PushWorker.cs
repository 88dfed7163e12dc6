using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Governance.Windows;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;
using PushApi.Core.Telemetry;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// Runs the jobs of running requests in this instance. In-platform jobs are claimed and completed in
/// batches by a few loops; remote jobs are claimed as agent slots free up, run concurrently under leases
/// that are renewed while they run, and completed in batches as their outcomes arrive. A NOTIFY on
/// <see cref="JobStatusChanges.WorkChannel"/> wakes the loops; a short poll is the fallback. On shutdown,
/// running upgrades get <see cref="PushEngineOptions.ShutdownTimeout"/> to finish; the rest are handed back.
/// </summary>
public sealed class PushWorker([FromKeyedServices(DatabaseWork.Engine)] NpgsqlDataSource dataSource, PushJobStore store, WindowKeeper windows, InPlatformUpgrader inPlatform, RemoteAgentUpgrader agents, EngineTelemetry telemetry, TimeProvider clock, IOptions<PushEngineOptions> options, ILogger<PushWorker> logger)
{
    private readonly PushEngineOptions _options = options.Value;
    private readonly WakeSignal _wake = new();
    private readonly ConcurrentQueue<ClaimedJob> _handedToRemote = new();

    public async Task RunAsync(CancellationToken stopping)
    {
        await ReleaseEarlierIncarnationsAsync(stopping);
        var listener = ListenAsync(stopping);
        var rescuer = RescueExpiredLeasesAsync(stopping);
        var loops = Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(_ => RunInPlatformAsync(stopping)).Append(RunRemoteAsync(stopping)).ToList();
        await Task.WhenAll(loops);
        await listener;
        await rescuer;
    }

    /// <summary>
    /// Every <see cref="PushEngineOptions.ReconcileInterval"/>, puts jobs whose lease expired (their
    /// instance died) back in the queue. Every worker does it, not only the scheduler's reconcile job:
    /// a Quartz trigger held by a dead cluster node stays blocked until Quartz declares the node dead,
    /// and the survivors' work must not wait for that. The statement skips locked rows, so instances
    /// doing it at once don't collide. The same loop keeps the jobs' maintenance-window marks current.
    /// </summary>
    private async Task RescueExpiredLeasesAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Delay(_options.ReconcileInterval, stopping);
            try
            {
                var rescued = await store.RescueExpiredLeasesAsync(stopping);
                if (rescued > 0)
                {
                    logger.LogWarning("Put {Count} push jobs with expired leases back in the queue.", rescued);
                    _wake.Set();
                }

                if ((await windows.RunAsync(stopping)).Woken > 0)
                {
                    _wake.Set();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Rescuing expired push job leases or keeping maintenance windows failed ({Reason}); retrying.", e.Message);
            }
        }
    }

    /// <summary>
    /// Before the first claim, hands back the jobs this node held when it last ran (killed, so its leases are
    /// still current): a restarted service resumes them at once instead of after <see cref="PushEngineOptions.LeaseDuration"/>.
    /// Tried a few times while the database is unreachable; the leases expire as the fallback.
    /// </summary>
    private async Task ReleaseEarlierIncarnationsAsync(CancellationToken stopping)
    {
        for (var attempt = 1; attempt <= 5 && !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                var released = await store.ReleaseEarlierIncarnationsAsync(_options.NodeId, _options.LeaseOwner, stopping);
                if (released > 0)
                {
                    logger.LogWarning("Put {Count} push jobs that an earlier run of this node ({NodeId}) held back in the queue.", released, _options.NodeId);
                }

                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Releasing the leases of this node's earlier runs failed ({Reason}); retrying.", e.Message);
                await Delay(TimeSpan.FromSeconds(attempt), stopping);
            }
        }
    }

    /// <summary>Wakes the loops now (after this instance started a request, say).</summary>
    public void Wake() => _wake.Set();

    private async Task ListenAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, _) => _wake.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN {JobStatusChanges.WorkChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                // Work may have been announced while no one listened.
                _wake.Set();
                while (!stopping.IsCancellationRequested)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The poll keeps work moving while the listener reconnects.
                logger.LogWarning("Listening for push work failed ({Reason}); retrying.", e.Message);
                await Delay(TimeSpan.FromSeconds(1), stopping);
            }
        }
    }

    private async Task RunInPlatformAsync(CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Claim and complete are not canceled by shutdown: a batch takes milliseconds and is then finished, not abandoned.
                var jobs = await store.ClaimAsync(remote: false, _options.BatchSize, _options.LeaseOwner, _options.LeaseDuration, CancellationToken.None);
                if (jobs.Count == 0)
                {
                    failures = 0;
                    await _wake.WaitAsync(_options.PollInterval, stopping);
                    continue;
                }

                // A tenant that got an agent after its job was added is upgraded through the agent.
                foreach (var job in jobs.Where(j => j.IsRemote))
                {
                    _handedToRemote.Enqueue(job);
                }

                var local = jobs.Where(j => !j.IsRemote).ToList();
                if (local.Count > 0)
                {
                    await inPlatform.UpgradeAsync(local, CancellationToken.None);
                }

                if (local.Count < jobs.Count)
                {
                    _wake.Set();
                }

                // Back-off grows with consecutive failed rounds (a claim whose completion fails is one), as in the remote loop.
                failures = 0;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Claimed jobs whose completion failed come back when their lease expires.
                logger.LogWarning("Running in-platform push jobs failed ({Reason}); retrying.", e.Message);
                await Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(++failures, 6)))), stopping);
            }
        }
    }

    private async Task RunRemoteAsync(CancellationToken stopping)
    {
        using var run = new RemoteRun(Math.Max(1, _options.Concurrency));
        var pump = CompleteOutcomesAsync(run.Outcomes.Reader, run.InFlight);
        var renewals = RenewLeasesAsync(run.InFlight, stopping);
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await RunRemoteBatchAsync(run, stopping);
                failures = 0;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Running remote push jobs failed ({Reason}); retrying.", e.Message);
                await Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(++failures, 6)))), stopping);
            }
        }

        await ShutDownRemoteAsync(run, pump, renewals);
    }

    /// <summary>Claims remote jobs for the free agent slots and starts their upgrades.</summary>
    private async Task RunRemoteBatchAsync(RemoteRun run, CancellationToken stopping)
    {
        // Claim in batches: with slots busy, wait until a quarter of them are free rather than
        // paying two round trips for every single finished upgrade.
        var free = run.Slots.CurrentCount;
        if (free == 0 || (free < run.Refill && free < run.Capacity && _handedToRemote.IsEmpty))
        {
            await _wake.WaitAsync(free == 0 ? _options.PollInterval : TimeSpan.FromMilliseconds(50), stopping);
            return;
        }

        var jobs = new List<ClaimedJob>();
        while (jobs.Count < free && _handedToRemote.TryDequeue(out var handed))
        {
            jobs.Add(handed);
        }

        if (jobs.Count < free)
        {
            jobs.AddRange(await store.ClaimAsync(remote: true, free - jobs.Count, _options.LeaseOwner, _options.LeaseDuration, CancellationToken.None));
        }

        if (jobs.Count == 0)
        {
            await _wake.WaitAsync(_options.PollInterval, stopping);
            return;
        }

        // A tenant whose agent was removed after its job was added is upgraded in the platform.
        var local = jobs.Where(j => !j.IsRemote).ToList();
        if (local.Count > 0)
        {
            await inPlatform.UpgradeAsync(local, CancellationToken.None);
        }

        var remote = jobs.Where(j => j.IsRemote).ToList();
        var refused = remote.Count == 0 ? [] : await RefusedAsync(remote);
        foreach (var job in remote)
        {
            run.InFlight[(job.JobId, job.Attempt)] = job;
            if (refused.TryGetValue(job.JobId, out var outcome))
            {
                await run.Outcomes.Writer.WriteAsync(outcome, CancellationToken.None);
                continue;
            }

            await run.Slots.WaitAsync(CancellationToken.None);
            _ = Task.Run(() => UpgradeAsync(job, run.Slots, run.Outcomes.Writer, run.CancelUpgrades.Token), CancellationToken.None);
        }
    }

    /// <summary>The run-time eligibility check of remote jobs, before their agents are called.</summary>
    private async Task<Dictionary<long, JobOutcome>> RefusedAsync(IReadOnlyList<ClaimedJob> jobs)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        return await RunTimeEligibility.RefusedAsync(connection, jobs, lockInstallations: false, CancellationToken.None);
    }

    /// <summary>Shutdown: lets running upgrades finish for a while, then stops them and hands their jobs back.</summary>
    private async Task ShutDownRemoteAsync(RemoteRun run, Task pump, Task renewals)
    {
        var deadline = Task.Delay(_options.ShutdownTimeout, CancellationToken.None);
        while (run.Slots.CurrentCount < run.Capacity && !deadline.IsCompleted)
        {
            await Task.WhenAny(deadline, Task.Delay(50, CancellationToken.None));
        }

        await run.CancelUpgrades.CancelAsync();
        while (run.Slots.CurrentCount < run.Capacity)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        run.Outcomes.Writer.Complete();
        await pump;
        await renewals;
        var unfinished = run.InFlight.Values.Concat(_handedToRemote).ToList();
        try
        {
            var released = await store.ReleaseAsync(unfinished, CancellationToken.None);
            if (released > 0)
            {
                logger.LogInformation("Handed {Count} unfinished push jobs back for another instance.", released);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            logger.LogWarning("Could not hand back {Count} push jobs ({Reason}); their leases will expire.", unfinished.Count, e.Message);
        }
    }

    private async Task UpgradeAsync(ClaimedJob job, SemaphoreSlim slots, ChannelWriter<JobOutcome> outcomes, CancellationToken cancel)
    {
        try
        {
            var outcome = await agents.UpgradeAsync(job, cancel);
            await outcomes.WriteAsync(outcome, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Shut down mid-call: the job stays in flight and is handed back.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Upgrading org {OrgKey} (job {JobId}) failed unexpectedly.", job.OrgKey, job.JobId);
            await outcomes.WriteAsync(JobOutcome.Failure(job, new PushErrorInfo(PushErrorTypes.UnclassifiedError, "Unexpected Error", e.Message)), CancellationToken.None);
        }
        finally
        {
            slots.Release();
            _wake.Set();
        }
    }

    private async Task CompleteOutcomesAsync(ChannelReader<JobOutcome> reader, ConcurrentDictionary<(long JobId, int Attempt), ClaimedJob> inFlight)
    {
        var batch = new List<JobOutcome>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 500 && reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            using var span = telemetry.StartBatch(batch);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var completing = clock.GetTimestamp();
                    telemetry.Completed(span, batch, await store.CompleteAsync(batch, CancellationToken.None), completing);
                    break;
                }
                catch (Exception e) when ((e is NpgsqlException or InvalidOperationException or TimeoutException) && attempt < 10)
                {
                    logger.LogWarning("Recording {Count} push job outcomes failed ({Reason}); retrying.", batch.Count, e.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    // The jobs' leases expire and they run again: at least once, never lost.
                    logger.LogError("Giving up recording {Count} push job outcomes ({Reason}).", batch.Count, e.Message);
                    break;
                }
            }

            foreach (var outcome in batch)
            {
                inFlight.TryRemove((outcome.JobId, outcome.Attempt), out _);
            }

            batch.Clear();
        }
    }

    private async Task RenewLeasesAsync(ConcurrentDictionary<(long JobId, int Attempt), ClaimedJob> inFlight, CancellationToken stopping)
    {
        var every = _options.LeaseDuration / 3;
        while (!stopping.IsCancellationRequested)
        {
            await Delay(every, stopping);
            try
            {
                await store.RenewLeasesAsync([.. inFlight.Values], _options.LeaseOwner, _options.LeaseDuration, CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Renewing push job leases failed ({Reason}).", e.Message);
            }
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
