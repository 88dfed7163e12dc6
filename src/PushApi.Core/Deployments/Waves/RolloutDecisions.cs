using System.Globalization;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Deployments.Waves;

/// <summary>A step the supervisor takes on a running rollout.</summary>
public abstract record RolloutAction;

/// <summary>The wave's request is running (or ran): say so once (wave.started).</summary>
public sealed record MarkWaveStarted(WaveFacts Wave) : RolloutAction;

/// <summary>The wave before has finished and baked: schedule this wave's request.</summary>
public sealed record ScheduleWave(WaveFacts Wave) : RolloutAction;

/// <summary>The wave finished below the threshold: the next may start at <paramref name="BakeUntil"/>.</summary>
public sealed record PassWave(WaveFacts Wave, DateTimeOffset BakeUntil) : RolloutAction;

/// <summary>The wave's failure rate crossed the threshold: halt it, and cancel or hold the later waves.</summary>
public sealed record HaltWave(WaveFacts Wave, string Reason, double FailureRate) : RolloutAction;

/// <summary>The wave was canceled from outside (a client aborted its request, an approval was refused): the later waves are canceled too.</summary>
public sealed record CancelLaterWaves(WaveFacts Wave) : RolloutAction;

/// <summary>Every wave has passed.</summary>
public sealed record FinishRollout : RolloutAction;

/// <summary>What a rollout should do next, and how it reads from outside; pure, so it is unit-tested without a database.</summary>
public static class RolloutDecisions
{
    /// <summary>The supervisor's steps for a Running rollout at <paramref name="now"/>, in order.</summary>
    public static List<RolloutAction> Decide(RolloutFacts rollout, DateTimeOffset now)
    {
        var actions = new List<RolloutAction>();
        DateTimeOffset? bakedAt = null;
        foreach (var wave in rollout.Waves)
        {
            if (wave.PassedAt is not null)
            {
                bakedAt = wave.BakeUntil;
                continue;
            }

            if (wave.Status is PushStatus.Created)
            {
                // The first wave is scheduled with the deployment (or by its approval); a later one once the one before has baked.
                if (wave.Ordinal > 1 && bakedAt is { } at && now >= at)
                {
                    actions.Add(new ScheduleWave(wave));
                }

                return actions;
            }

            if (wave.Status is PushStatus.Pending)
            {
                return actions;
            }

            if (wave.StartedAt is null)
            {
                actions.Add(new MarkWaveStarted(wave));
            }

            var finished = wave.Status.IsTerminal();
            if (Judge(rollout, wave, finished) is { } halt)
            {
                actions.Add(halt);
                return actions;
            }

            if (!finished)
            {
                return actions;
            }

            if (wave.Status is PushStatus.Canceled)
            {
                actions.Add(new CancelLaterWaves(wave));
                return actions;
            }

            var end = wave.EndTime ?? now;
            bakedAt = end + TimeSpan.FromSeconds(wave.BakeSeconds);
            actions.Add(new PassWave(wave, bakedAt.Value));
        }

        actions.Add(new FinishRollout());
        return actions;
    }

    /// <summary>A halt when the wave's failure rate (failed of finished jobs) exceeds the threshold: once <c>minJobs</c> have finished, or when the wave is over.</summary>
    private static HaltWave? Judge(RolloutFacts rollout, WaveFacts wave, bool over)
    {
        if (rollout.HaltOnFailureRate is not { } threshold)
        {
            return null;
        }

        var done = wave.Jobs.Succeeded + wave.Jobs.Failed;
        if (done == 0 || (done < rollout.MinJobs && !over))
        {
            return null;
        }

        var rate = (double)wave.Jobs.Failed / done;
        return rate > threshold
            ? new HaltWave(wave, string.Create(CultureInfo.InvariantCulture, $"Wave '{wave.Name}': {wave.Jobs.Failed:N0} of {done:N0} finished jobs failed ({rate:P1}), more than the {threshold:P1} the deployment allows."), rate)
            : null;
    }

    /// <summary>
    /// The deployment's status as a client sees it: Halted while halted (held or with its later waves canceled);
    /// Created or Pending before its first wave runs; In Progress until the last wave has passed; then Failed when a wave
    /// failed, Canceled when canceled, else Succeeded.
    /// </summary>
    public static string Status(RolloutFacts rollout)
    {
        switch (rollout.State)
        {
            case RolloutFacts.Held or RolloutFacts.Halted:
                return "Halted";
            case RolloutFacts.Canceled:
                return PushStatus.Canceled.WireName();
            case RolloutFacts.Finished:
                return rollout.Waves.Any(w => w.Status is PushStatus.Failed) ? PushStatus.Failed.WireName()
                    : rollout.Waves.All(w => w.Status is PushStatus.Canceled) ? PushStatus.Canceled.WireName()
                    : PushStatus.Succeeded.WireName();
        }

        var first = rollout.Waves[0].Status;
        return first is PushStatus.Created or PushStatus.Pending ? first.WireName() : PushStatus.InProgress.WireName();
    }

    /// <summary>Whether <c>/cancel</c> can stop it now: held, or running with no wave in progress.</summary>
    public static bool Cancelable(RolloutFacts rollout) =>
        rollout.State is RolloutFacts.Held
        || (rollout.State is RolloutFacts.Running
            && !rollout.Waves.Any(w => w.Status is PushStatus.InProgress)
            && rollout.Waves.Any(w => w.Status is PushStatus.Created or PushStatus.Pending));

    /// <summary>The jobs of every wave together.</summary>
    public static JobCounts Jobs(RolloutFacts rollout) => new(
        rollout.Waves.Sum(w => w.Jobs.Total), rollout.Waves.Sum(w => w.Jobs.Succeeded), rollout.Waves.Sum(w => w.Jobs.Failed), rollout.Waves.Sum(w => w.Jobs.Canceled));
}
