using PushApi.Core.Deployments.Estimates;

namespace PushApi.UnitTests.Deployments;

public class EstimateMathTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_running_push_goes_on_at_its_own_rate_so_far()
    {
        // 600 of 3,000 done in 60 s: 10 a second, 2,400 left, 240 s more.
        var estimate = EstimateMath.Live(Start, Start.AddSeconds(60), done: 600, remaining: 2_400)!;
        Assert.That(estimate.Basis, Is.EqualTo("live"));
        Assert.That(estimate.JobsPerSecond, Is.EqualTo(10));
        Assert.That(estimate.ExpectedEnd, Is.EqualTo(Start.AddSeconds(300)));
    }

    [Test]
    public void A_running_push_with_no_job_done_has_no_live_rate()
    {
        Assert.That(EstimateMath.Live(Start, Start.AddSeconds(5), done: 0, remaining: 100), Is.Null);
        Assert.That(EstimateMath.Live(Start, Start, done: 10, remaining: 100), Is.Null, "no time has passed");
    }

    [Test]
    public void A_push_not_started_runs_at_the_rate_of_its_history_from_its_start()
    {
        // Two pushes: 5,000 jobs in 250 s, 20 a second; 1,000 jobs take 50 s from the scheduled start.
        var history = new PushHistory(UpgraderKind.InPlatform, "<10k", 2, 5_000, 250);
        var estimate = EstimateMath.FromHistory(history, begin: Start.AddMinutes(10), now: Start, remaining: 1_000);
        Assert.That(estimate.Basis, Is.EqualTo("history:in-platform/<10k (2 pushes)"));
        Assert.That(estimate.JobsPerSecond, Is.EqualTo(20));
        Assert.That(estimate.ExpectedEnd, Is.EqualTo(Start.AddMinutes(10).AddSeconds(50)));
    }

    [Test]
    public void A_start_time_already_passed_counts_from_now()
    {
        var history = new PushHistory(UpgraderKind.Remote, "<1k", 1, 30, 60);
        var estimate = EstimateMath.FromHistory(history, begin: Start.AddMinutes(-5), now: Start, remaining: 10);
        Assert.That(estimate.Basis, Is.EqualTo("history:remote/<1k (1 push)"));
        Assert.That(estimate.JobsPerSecond, Is.EqualTo(0.5));
        Assert.That(estimate.ExpectedEnd, Is.EqualTo(Start.AddSeconds(20)));
    }

    [Test]
    public void Without_history_there_is_no_estimate()
    {
        var none = EstimateMath.FromHistory(null, Start, Start, 100);
        Assert.That((none.ExpectedEnd, none.JobsPerSecond, none.Basis), Is.EqualTo(((DateTimeOffset?)null, (double?)null, "none")));
        Assert.That(EstimateMath.FromHistory(new PushHistory(UpgraderKind.InPlatform, "<1k", 1, 10, 0), Start, Start, 100).Basis, Is.EqualTo("none"), "a history of no time is no rate");
    }

    [Test]
    public void A_finished_push_ended_when_it_ended_at_the_rate_it_ran()
    {
        var estimate = EstimateMath.Finished(Start, Start.AddSeconds(8), processed: 2_000);
        Assert.That((estimate.ExpectedEnd, estimate.JobsPerSecond, estimate.Basis), Is.EqualTo(((DateTimeOffset?)Start.AddSeconds(8), (double?)250, "finished")));
        var canceled = EstimateMath.Finished(null, Start, processed: 5);
        Assert.That((canceled.ExpectedEnd, canceled.JobsPerSecond), Is.EqualTo(((DateTimeOffset?)Start, (double?)null)), "canceled before it started");
    }

    [TestCase(1, "<1k")]
    [TestCase(999, "<1k")]
    [TestCase(1_000, "<10k")]
    [TestCase(9_999, "<10k")]
    [TestCase(10_000, "<100k")]
    [TestCase(99_999, "<100k")]
    [TestCase(100_000, ">=100k")]
    public void Size_classes_split_at_powers_of_ten(long jobs, string sizeClass)
    {
        Assert.That(EstimateMath.SizeClass(jobs), Is.EqualTo(sizeClass));
        var (low, high) = EstimateMath.SizeClassBounds(jobs);
        Assert.That(jobs, Is.GreaterThanOrEqualTo(low).And.LessThan(high));
    }
}
