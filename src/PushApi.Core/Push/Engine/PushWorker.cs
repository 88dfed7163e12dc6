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
public sealed partial class PushWorker([FromKeyedServices(DatabaseWork.Engine)] NpgsqlDataSource dataSource, PushJobStore store, WindowKeeper windows, InPlatformUpgrader inPlatform, RemoteAgentUpgrader agents, InteractiveDemand interactive, EngineTelemetry telemetry, TimeProvider clock, IOptions<PushEngineOptions> options, ILogger<PushWorker> logger)
{
    private readonly PushEngineOptions _options = options.Value;
    private readonly WakeSignal _wake = new();
    private readonly ConcurrentQueue<ClaimedJob> _handedToRemote = new();

    public async Task RunAsync(CancellationToken stopping)
    {
        await ReleaseEarlierIncarnationsAsync(stopping);
        var listener = ListenAsync(stopping);
        var rescuer = RescueExpiredLeasesAsync(stopping);
        var loops = Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(slot => RunInPlatformAsync(slot, stopping)).Append(RunRemoteAsync(stopping)).ToList();
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

    /// <summary>One claim loop; loops from <see cref="PushEngineOptions.WorkersWhileInteractive"/> on give way to interactive requests.</summary>
    private async Task RunInPlatformAsync(int slot, CancellationToken stopping)
    {
        var failures = 0;
        var yields = slot >= Math.Max(1, _options.WorkersWhileInteractive);
        while (!stopping.IsCancellationRequested)
        {
            List<ClaimedJob> local = [];
            try
            {
                if (yields)
                {
                    await interactive.WaitForQuietAsync(_options.InteractiveQuietPeriod, stopping);
                    if (stopping.IsCancellationRequested)
                    {
                        break;
                    }
                }

                // Claim and complete are not canceled by shutdown: a batch takes milliseconds and is then finished, not abandoned.
                var jobs = await store.ClaimAsync(remote: false, _options.BatchSize, _options.LeaseOwner, _options.LeaseDuration, CancellationToken.None);
                if (jobs.Count == 0)
                {
                    failures = 0;
                    await _wake.WaitAsync(_options.PollInterval, stopping);
                    continue;
                }

                var batchStarted = clock.GetTimestamp();
                // A tenant that got an agent after its job was added is upgraded through the agent.
                foreach (var job in jobs.Where(j => j.IsRemote))
                {
                    _handedToRemote.Enqueue(job);
                }

                local = jobs.Where(j => !j.IsRemote).ToList();
                if (local.Count > 0)
                {
                    await inPlatform.UpgradeAsync(local, CancellationToken.None);
                }

                if (local.Count < jobs.Count)
                {
                    _wake.Set();
                }

                // The loops that keep running while people wait run at InteractiveDutyCycle: each batch is followed by a pause.
                if (!yields && _options.WorkersWhileInteractive < _options.Workers && interactive.Busy(_options.InteractiveQuietPeriod))
                {
                    await Delay(clock.GetElapsedTime(batchStarted) * _options.InteractivePauseFactor, stopping);
                }

                // Back-off grows with consecutive failed rounds (a claim whose completion fails is one), as in the remote loop.
                failures = 0;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The batch's transaction rolled back: its jobs go back to the queue now, not when their leases expire.
                logger.LogWarning("Running in-platform push jobs failed ({Reason}); retrying.", e.Message);
                await HandBackAsync(local);
                await Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(++failures, 6)))), stopping);
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
