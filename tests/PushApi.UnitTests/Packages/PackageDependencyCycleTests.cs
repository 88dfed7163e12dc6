using PushApi.Core.Packages;
using PushApi.Core.Packages.Contents;

namespace PushApi.UnitTests.Packages;

public sealed class PackageDependencyCycleTests
{
    [Test]
    public void A_package_that_would_need_itself_through_others_is_a_cycle()
    {
        var cycle = PackageDependencies.FindCycle([(1, 2), (2, 3), (3, 1)], 1);
        Assert.That(cycle, Is.EqualTo(new long[] { 1, 2, 3, 1 }));
    }

    [Test]
    public void A_diamond_is_not_a_cycle()
    {
        Assert.That(PackageDependencies.FindCycle([(1, 2), (1, 3), (2, 4), (3, 4)], 1), Is.Null);
    }

    [TestCase("1.2", 1, 2, 0)]
    [TestCase("10.0.3", 10, 0, 3)]
    public void A_minimum_version_reads_major_minor_and_patch(string text, int major, int minor, int patch)
    {
        Assert.That(VersionNumber.TryParseMinimum(text, out var number), Is.True);
        Assert.That(number, Is.EqualTo(new VersionNumber(major, minor, patch, 0)));
    }

    [TestCase("1")]
    [TestCase("1.2.3.4")]
    [TestCase("1.x")]
    [TestCase("-1.2")]
    [TestCase("1..2")]
    [TestCase("99999.1")]
    public void A_malformed_minimum_version_is_refused(string text)
    {
        Assert.That(VersionNumber.TryParseMinimum(text, out _), Is.False);
    }
}
