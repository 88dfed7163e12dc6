using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.UnitTests.Push;

public class PushStatusTransitionTests
{
    // Written from the state machine of the design (README, "Salesforce compatibility decisions"; docs/architecture.md,
    // "One home for status changes") and salesforce-push-api.md section 2.2, independently of
    // the table in PushStatusTransitions. Everything not listed must be refused.
    private static readonly string[] Expected =
    [
        "Request Client Created -> Pending",
        "Request Client Created -> Canceled",
        "Request Client Pending -> Canceled",
        "Request System Pending -> In Progress",
        "Request System In Progress -> Succeeded",
        "Request System In Progress -> Failed",
        "Request System In Progress -> Canceled",
        "Job System Created -> Pending",
        "Job System Created -> Canceled",
        "Job System Pending -> Canceled",
        "Job System Pending -> In Progress",
        "Job System Pending -> Failed",
        "Job System In Progress -> Succeeded",
        "Job System In Progress -> Failed",
        "Job System In Progress -> Pending",
    ];

    private static IEnumerable<TestCaseData> EveryPair()
    {
        foreach (var record in Enum.GetValues<PushRecord>())
        {
            foreach (var actor in Enum.GetValues<PushActor>())
            {
                foreach (var from in PushStatuses.All)
                {
                    foreach (var to in PushStatuses.All)
                    {
                        var name = $"{record} {actor} {from.WireName()} -> {to.WireName()}";
                        yield return new TestCaseData(record, actor, from, to, Expected.Contains(name)).SetName(name);
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(EveryPair))]
    public void Each_transition_is_allowed_exactly_when_listed(PushRecord record, PushActor actor, PushStatus from, PushStatus to, bool allowed)
    {
        Assert.That(PushStatusTransitions.IsAllowed(record, from, to, actor), Is.EqualTo(allowed));
        if (allowed)
        {
            Assert.DoesNotThrow(() => PushStatusTransitions.Ensure(record, from, to, actor));
        }
        else
        {
            var e = Assert.Throws<IllegalTransitionException>(() => PushStatusTransitions.Ensure(record, from, to, actor));
            Assert.That(e!.Message, Does.Contain(from.WireName()).And.Contain(to.WireName()));
        }
    }

    [Test]
    public void The_table_lists_every_expected_transition_and_no_more()
    {
        var count = EveryPair().Count(c => (bool)c.Arguments[4]!);
        Assert.That(count, Is.EqualTo(Expected.Length), "every expected line names a real pair");
    }

    [Test]
    public void Terminal_statuses_have_no_way_out()
    {
        foreach (var terminal in PushStatuses.All.Where(s => s.IsTerminal()))
        {
            foreach (var record in Enum.GetValues<PushRecord>())
            {
                foreach (var actor in Enum.GetValues<PushActor>())
                {
                    Assert.That(PushStatusTransitions.Targets(record, terminal, actor), Is.Empty, $"{record} {terminal} {actor}");
                }
            }
        }
    }

    [Test]
    public void No_client_can_change_a_job_status()
    {
        foreach (var from in PushStatuses.All)
        {
            Assert.That(PushStatusTransitions.Targets(PushRecord.Job, from, PushActor.Client), Is.Empty);
        }
    }

    [TestCase("Created", PushStatus.Created)]
    [TestCase("In Progress", PushStatus.InProgress)]
    [TestCase("in progress", PushStatus.InProgress)]
    [TestCase("CANCELED", PushStatus.Canceled)]
    public void Wire_names_parse_ignoring_case(string text, PushStatus status)
    {
        Assert.That(PushStatuses.TryParse(text, out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(status));
    }

    [TestCase("Cancelled", Description = "the sf CLI's spelling is not a status")]
    [TestCase("InProgress")]
    [TestCase("")]
    public void Other_spellings_are_not_statuses(string text) =>
        Assert.That(PushStatuses.TryParse(text, out _), Is.False);
}
