using PushApi.Core.Deployments.Waves;
using PushApi.Core.Errors;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.UnitTests.Deployments;

/// <summary>The rollout supervisor's decisions, the rollout options' checks and the percent waves' sample, without a database.</summary>
public class RolloutDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_running_wave_is_judged_only_once_minJobs_have_finished_and_a_finished_one_always()
    {
        var early = Rollout(Wave(1, PushStatus.InProgress, succeeded: 0, failed: 3, total: 100), Wave(2, PushStatus.Created));
        Assert.That(RolloutDecisions.Decide(early, Now), Is.EqualTo(new RolloutAction[] { new MarkWaveStarted(early.Waves[0]) }), "3 finished jobs are fewer than minJobs 10");

        var enough = Rollout(Wave(1, PushStatus.InProgress, succeeded: 8, failed: 3, total: 100, started: true), Wave(2, PushStatus.Created));
        var halt = RolloutDecisions.Decide(enough, Now).Single();
        Assert.That(halt, Is.TypeOf<HaltWave>());
        Assert.That(((HaltWave)halt).FailureRate, Is.EqualTo(3d / 11).Within(1e-9));

        var small = Rollout(Wave(1, PushStatus.Succeeded, succeeded: 2, failed: 1, total: 3, started: true), Wave(2, PushStatus.Created));
        Assert.That(RolloutDecisions.Decide(small, Now).Single(), Is.TypeOf<HaltWave>(), "a finished wave of 3 is judged although 3 < minJobs");
    }

    [Test]
    public void A_finished_wave_passes_and_the_next_starts_only_after_its_bake_time()
    {
        var finished = Rollout(Wave(1, PushStatus.Succeeded, succeeded: 10, total: 10, started: true, bake: 600, end: Now.AddMinutes(-1)), Wave(2, PushStatus.Created));
        var actions = RolloutDecisions.Decide(finished, Now);
        Assert.That(actions, Is.EqualTo(new RolloutAction[] { new PassWave(finished.Waves[0], Now.AddMinutes(9)) }));

        var baking = Rollout(Wave(1, PushStatus.Succeeded, started: true) with { PassedAt = Now, BakeUntil = Now.AddMinutes(9) }, Wave(2, PushStatus.Created));
        Assert.That(RolloutDecisions.Decide(baking, Now), Is.Empty);
        Assert.That(RolloutDecisions.Decide(baking, Now.AddMinutes(9)), Is.EqualTo(new RolloutAction[] { new ScheduleWave(baking.Waves[1]) }));
    }

    [Test]
    public void A_wave_canceled_from_outside_cancels_the_rest_and_the_last_passed_wave_finishes_the_rollout()
    {
        var canceled = Rollout(Wave(1, PushStatus.Canceled, started: true), Wave(2, PushStatus.Created));
        Assert.That(RolloutDecisions.Decide(canceled, Now), Is.EqualTo(new RolloutAction[] { new CancelLaterWaves(canceled.Waves[0]) }));

        var last = Rollout(Wave(1, PushStatus.Succeeded, started: true) with { PassedAt = Now, BakeUntil = Now }, Wave(2, PushStatus.Failed, failed: 4, total: 4, started: true)) with { HaltOnFailureRate = null };
        Assert.That(RolloutDecisions.Decide(last, Now), Is.EqualTo(new RolloutAction[] { new PassWave(last.Waves[1], Now), new FinishRollout() }), "without a threshold a failed wave passes");
        Assert.That(RolloutDecisions.Status(last with { State = RolloutFacts.Finished }), Is.EqualTo("Failed"));
        Assert.That(RolloutDecisions.Status(last with { State = RolloutFacts.Held }), Is.EqualTo("Halted"));
    }

    [Test]
    public void The_first_wave_waits_for_its_own_schedule_and_the_status_follows_it()
    {
        var created = Rollout(Wave(1, PushStatus.Created), Wave(2, PushStatus.Created));
        Assert.That(RolloutDecisions.Decide(created, Now), Is.Empty);
        Assert.That(RolloutDecisions.Status(created), Is.EqualTo("Created"));
        Assert.That(RolloutDecisions.Cancelable(created), Is.True);
        var running = Rollout(Wave(1, PushStatus.InProgress, started: true), Wave(2, PushStatus.Created));
        Assert.That(RolloutDecisions.Status(running), Is.EqualTo("In Progress"));
        Assert.That(RolloutDecisions.Cancelable(running), Is.False, "a running wave is halted, not canceled");
    }

    [Test]
    public void Options_are_checked_with_the_field_they_concern()
    {
        Assert.That(RolloutPlan.From(new RolloutInput(null, null, null, null, null), "seed"), Is.Null, "no options: no rollout");
        var implicitWave = RolloutPlan.From(new RolloutInput(null, 0.05, null, null, null), "seed")!;
        Assert.That((implicitWave.Waves.Single().TakesTheRest, implicitWave.MinJobs, implicitWave.OnHalt), Is.EqualTo((true, RolloutPlan.DefaultMinJobs, "hold")));
        Assert.That(RolloutPlan.From(new RolloutInput([new WaveInput("a", null, null, null, "P1DT2H30M")], null, null, null, null), "s")!.Waves[0].BakeTime, Is.EqualTo(new TimeSpan(1, 2, 30, 0)));

        Assert.That(Field(new RolloutInput([new WaveInput("a", null, null, null, "-PT1M")], null, null, null, null)), Is.EqualTo("waves[0].bakeTime"));
        Assert.That(Field(new RolloutInput([new WaveInput("a", null, null, 5, null), new WaveInput("A", null, null, null, null)], null, null, null, null)), Is.EqualTo("waves[1].name"));
        Assert.That(Field(new RolloutInput([new WaveInput("a", ["00D000000000001"], null, null, null), new WaveInput("b", ["00D000000000001"], null, null, null)], null, null, null, null)), Is.EqualTo("waves[1].orgKeys"));
        Assert.That(Field(new RolloutInput(null, double.NaN, null, null, null)), Is.EqualTo("haltOnFailureRate"));
        Assert.That(Field(new RolloutInput(null, null, null, null, "")), Is.EqualTo("seed"));
    }

    [Test]
    public void A_percent_sample_is_stable_for_a_seed_and_keeps_its_orgs_in_a_part_of_the_population()
    {
        var population = Enumerable.Range(0, 1000).Select(i => $"00D{i:D12}").ToList();
        var sample = WaveSplitter.Sample(population, "seed-1", 50);
        Assert.That(WaveSplitter.Sample(Enumerable.Reverse(population), "seed-1", 50), Is.EqualTo(sample), "the order of the population does not matter");
        Assert.That(WaveSplitter.Sample(population, "seed-2", 50), Is.Not.EquivalentTo(sample), "another seed, another sample");

        // A retry targets a part of the population: every sampled org in it is sampled again.
        var part = population.Where((_, i) => i % 2 == 0).ToList();
        var kept = sample.Intersect(part).ToList();
        Assert.That(WaveSplitter.Sample(part, "seed-1", kept.Count), Is.EquivalentTo(kept));
    }

    [Test]
    public void A_rollouts_estimate_adds_the_later_waves_after_their_bake_times_at_the_current_rate()
    {
        // Wave 1 runs at 10 jobs/s and ends in 100 s; wave 2 (500 jobs) starts 600 s later, wave 3 (1,000 jobs) right after.
        var waves = new[] { Wave(1, PushStatus.InProgress, total: 1000, bake: 600), Wave(2, PushStatus.Created, total: 500), Wave(3, PushStatus.Created, total: 1000) };
        var live = new Core.Deployments.Estimates.RunTimeEstimate(Now.AddSeconds(100), 10, "live");
        var extended = RolloutEstimates.Extend(live, waves, current: 1, Now);
        Assert.That(extended.ExpectedEnd, Is.EqualTo(Now.AddSeconds(100 + 600 + 50 + 100)));
        Assert.That(extended.Basis, Is.EqualTo("live + 2 later waves"));
        Assert.That(RolloutEstimates.Extend(Core.Deployments.Estimates.RunTimeEstimate.None, waves, 1, Now), Is.EqualTo(Core.Deployments.Estimates.RunTimeEstimate.None), "no rate, nothing to add");
    }

    private static string Field(RolloutInput input) =>
        Assert.Throws<InputException>(() => RolloutPlan.From(input, "seed"))!.Errors.Keys.Single();

    private static RolloutFacts Rollout(params WaveFacts[] waves) =>
        new(1, HaltOnFailureRate: 0.2, MinJobs: 10, OnHalt: "hold", State: RolloutFacts.Running, CreatedBy: 1, waves);

    private static WaveFacts Wave(int ordinal, PushStatus status, int succeeded = 0, int failed = 0, int total = 0, bool started = false, int bake = 0, DateTimeOffset? end = null) =>
        new(ordinal, $"w{ordinal}", 100 + ordinal, bake, "{}", started ? Now.AddMinutes(-5) : null, null, null)
        {
            Status = status,
            Jobs = new JobCounts(total, succeeded, failed, 0),
            EndTime = status.IsTerminal() ? end ?? Now : null,
        };
}
