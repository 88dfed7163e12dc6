using PushApi.Core.Deployments.Candidates;
using PushApi.Core.Errors;
using PushApi.Core.Packages;
using PushApi.Core.Push;

namespace PushApi.UnitTests.Deployments;

/// <summary>The candidates' eligibility codes are decided by <see cref="Eligibility.Check"/>, in its order of reasons.</summary>
public class CandidateFactsTests
{
    // The bits as CandidateFacts.CodeSql packs them.
    private const int Inactive = 1, Installed = 2, Uninstalled = 4, Current = 8, InstallBlocked = 16, OptedOut = 32, Excluded = 64, Busy = 128;

    private static readonly TargetVersion Target = new("04t000000000001AAA", 1, new VersionNumber(2, 0, 0, 0), "Released", false);

    [TestCase(Installed, null)]
    [TestCase(0, IneligibleReason.NotInstalled)]
    [TestCase(Installed | Uninstalled | Inactive, IneligibleReason.Uninstalled)]
    [TestCase(Installed | Inactive | Current, IneligibleReason.Inactive)]
    [TestCase(Installed | InstallBlocked | Current, IneligibleReason.Blocked)]
    [TestCase(Installed | Current | Excluded | Busy, IneligibleReason.AlreadyCurrent)]
    [TestCase(Installed | OptedOut | Excluded, IneligibleReason.Blocked)]
    [TestCase(Installed | Excluded | Busy, IneligibleReason.Excluded)]
    [TestCase(Installed | Busy, IneligibleReason.AlreadyScheduled)]
    public void Each_code_gets_the_first_reason_Eligibility_gives(int code, IneligibleReason? reason) =>
        Assert.That(CandidateFacts.Decide(Target, installs: false)[code], Is.EqualTo(reason));

    [Test]
    public void Installing_makes_a_missing_install_no_reason_but_keeps_the_orgs_own()
    {
        var reasons = CandidateFacts.Decide(Target, installs: true);
        Assert.That(reasons[0], Is.Null);
        Assert.That(reasons[Inactive], Is.EqualTo(IneligibleReason.Inactive));
        Assert.That(reasons[Busy], Is.EqualTo(IneligibleReason.AlreadyScheduled));
    }

    [Test]
    public void The_filter_reads_an_org_id_exactly_a_name_as_an_escaped_pattern_and_names_bad_parts()
    {
        Assert.That(CandidateFilter.Parse("00D000000000001", null, null).SearchedKey, Is.EqualTo("00D000000000001"));
        Assert.That(CandidateFilter.Parse(" Acme_100% ", "sandbox", null), Has.Property("NamePattern").EqualTo("%acme\\_100\\%%").And.Property("OrgType").EqualTo("Sandbox"));
        Assert.That(CandidateFilter.Parse(null, "All", null).OrgType, Is.Null);
        var bad = Assert.Throws<InputException>(() => CandidateFilter.Parse(null, "Moon", null, "targets.filter."))!;
        Assert.That(bad.Errors.Keys, Is.EqualTo(new[] { "targets.filter.orgType" }));
    }
}
