using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Governance.Windows;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push.Engine;

/// <summary>The remote queue of <see cref="PushWorker"/>: agent calls under renewed leases, outcomes recorded in batches, shutdown.</summary>
public sealed partial class PushWorker
{
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

        Dictionary<long, JobOutcome> refused;
        var remote = jobs.Where(j => j.IsRemote).ToList();
        try
        {
            // A tenant whose agent was removed after its job was added is upgraded in the platform.
            var local = jobs.Where(j => !j.IsRemote).ToList();
            if (local.Count > 0)
            {
                await inPlatform.UpgradeAsync(local, CancellationToken.None);
            }

            refused = remote.Count == 0 ? [] : await RefusedAsync(remote);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Nothing was sent to an agent yet: the claimed jobs go back to the queue now, not when their leases expire.
            await HandBackAsync(jobs);
            throw;
        }

        foreach (var job in remote)
        {
            run.InFlight[(job.JobId, job.Attempt)] = job;
            if (refused.TryGetValue(job.JobId, out var outcome))
            {
                await run.Outcomes.Writer.WriteAsync(outcome, CancellationToken.None);
                continue;
            }

            await run.Slots.WaitAsync(CancellationToken.None);
            _ = Task.Run(() => UpgradeAsync(job, run, run.CancelUpgrades.Token), CancellationToken.None);
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

    private async Task UpgradeAsync(ClaimedJob job, RemoteRun run, CancellationToken cancel)
    {
        try
        {
            var outcome = await agents.UpgradeAsync(job, cancel);
            await run.Outcomes.Writer.WriteAsync(outcome, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Shut down mid-call: the job stays in flight and is handed back.
        }
        catch (Exception e) when (PostgresErrors.IsPassing(e))
        {
            // The database failed before the agent was called (reading the package to send): not the upgrade's failure.
            logger.LogWarning("Preparing the upgrade of org {OrgKey} (job {JobId}) failed ({Reason}); the job goes back to the queue.", job.OrgKey, job.JobId, e.Message);
            run.InFlight.TryRemove((job.JobId, job.Attempt), out _);
            await HandBackAsync([job]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Upgrading org {OrgKey} (job {JobId}) failed unexpectedly.", job.OrgKey, job.JobId);
            await run.Outcomes.Writer.WriteAsync(JobOutcome.Failure(job, new PushErrorInfo(PushErrorTypes.UnclassifiedError, "Unexpected Error", e.Message)), CancellationToken.None);
        }
        finally
        {
            run.Slots.Release();
            _wake.Set();
        }
    }

    /// <summary>
    /// Puts claimed jobs this instance cannot go on with back in the queue (a database failure between claim and completion),
    /// so they run again in seconds instead of after <see cref="PushEngineOptions.LeaseDuration"/>. Fenced by attempt: a job
    /// meanwhile completed is left alone. Tried a few times; if the database stays away, the leases expire as the fallback.
    /// </summary>
    private async Task HandBackAsync(List<ClaimedJob> jobs)
    {
        for (var attempt = 1; jobs.Count > 0; attempt++)
        {
            try
            {
                await store.ReleaseAsync(jobs, CancellationToken.None);
                _wake.Set();
                return;
            }
            catch (Exception e) when ((e is NpgsqlException or InvalidOperationException or TimeoutException) && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Could not hand back {Count} push jobs ({Reason}); their leases will expire.", jobs.Count, e.Message);
                return;
            }
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
                    // The jobs run again (at least once, never lost): handed back now, or when their leases expire.
                    logger.LogError("Giving up recording {Count} push job outcomes ({Reason}).", batch.Count, e.Message);
                    await HandBackAsync([.. batch.Select(o => inFlight.TryGetValue((o.JobId, o.Attempt), out var job) ? job : null).OfType<ClaimedJob>()]);
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
}
