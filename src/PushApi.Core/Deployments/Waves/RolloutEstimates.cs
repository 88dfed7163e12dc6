using System.Globalization;
using PushApi.Core.Deployments.Estimates;
using PushApi.Core.Push;

namespace PushApi.Core.Deployments.Waves;

/// <summary>
/// The run-time estimate of a deployment with waves: its current wave's estimate (live, or from history), then each
/// later wave after the bake time before it, at the same rate. A halted rollout has no end to expect; a finished one
/// ended when its last wave did.
/// </summary>
public sealed class RolloutEstimates(DeploymentEstimates estimates, PushRequests requests, TimeProvider clock)
{
    public const string HaltedBasis = "halted";

    public async Task<RunTimeEstimate> ForRolloutAsync(RolloutFacts rollout, CancellationToken cancellationToken = default)
    {
        switch (rollout.State)
        {
            case RolloutFacts.Held or RolloutFacts.Halted:
                return new RunTimeEstimate(null, null, HaltedBasis);
            case RolloutFacts.Finished or RolloutFacts.Canceled:
                var jobs = RolloutDecisions.Jobs(rollout);
                return EstimateMath.Finished(rollout.Waves[0].StartTime, rollout.Waves.Max(w => w.EndTime), jobs.Succeeded + jobs.Failed + jobs.Canceled);
        }

        var current = rollout.Waves.FirstOrDefault(w => w.PassedAt is null) ?? rollout.Waves[^1];
        var progress = await requests.GetAsync(current.RequestId, cancellationToken);
        var estimate = progress is null ? RunTimeEstimate.None : await estimates.ForRequestAsync(progress, cancellationToken);
        return Extend(estimate, rollout.Waves, current.Ordinal, clock.Now());
    }

    /// <summary>
    /// Adds the waves after <paramref name="current"/> to its estimate: each starts once the wave before has baked (not
    /// before a bake already under way ends) and runs its jobs at the estimate's rate. Unchanged without a rate.
    /// </summary>
    public static RunTimeEstimate Extend(RunTimeEstimate estimate, IReadOnlyList<WaveFacts> waves, int current, DateTimeOffset now)
    {
        var later = waves.Where(w => w.Ordinal > current).ToList();
        if (later.Count == 0 || estimate.ExpectedEnd is not { } end || estimate.JobsPerSecond is not ({ } rate and > 0))
        {
            return estimate;
        }

        foreach (var wave in later)
        {
            var before = waves.Single(w => w.Ordinal == wave.Ordinal - 1);
            end += TimeSpan.FromSeconds(before.BakeSeconds);
            if (before.BakeUntil is { } baked && baked > end)
            {
                end = baked;
            }

            end = (end < now ? now : end) + TimeSpan.FromSeconds(wave.Jobs.Total / rate);
        }

        return estimate with { ExpectedEnd = end, Basis = string.Create(CultureInfo.InvariantCulture, $"{estimate.Basis} + {later.Count} later {(later.Count == 1 ? "wave" : "waves")}") };
    }
}
