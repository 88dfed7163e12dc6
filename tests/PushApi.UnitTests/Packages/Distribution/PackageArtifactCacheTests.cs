using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>Released versions' package ZIPs are kept within a byte budget, the least recently used dropped first.</summary>
public class PackageArtifactCacheTests
{
    private static PackageArtifact Artifact(long version, int size) => new(version, $"v{version}.zip", new byte[size], $"sha-{version}");

    [Test]
    public void An_artifact_kept_is_found_again()
    {
        var cache = new PackageArtifactCache(100);
        var artifact = Artifact(1, 10);
        cache.Add(artifact);
        Assert.That(cache.TryGet(1, out var found), Is.True);
        Assert.That(found, Is.SameAs(artifact));
        Assert.That(cache.TryGet(2, out _), Is.False);
    }

    [Test]
    public void Beyond_the_budget_the_least_recently_used_goes_first()
    {
        var cache = new PackageArtifactCache(100);
        cache.Add(Artifact(1, 40));
        cache.Add(Artifact(2, 40));
        Assert.That(cache.TryGet(1, out _), Is.True, "1 is now the most recently used");
        cache.Add(Artifact(3, 40));

        Assert.That((cache.TryGet(1, out _), cache.TryGet(2, out _), cache.TryGet(3, out _)), Is.EqualTo((true, false, true)));
        Assert.That(cache.CachedBytes, Is.EqualTo(80));
    }

    [Test]
    public void An_artifact_larger_than_the_budget_is_not_kept_and_evicts_nothing()
    {
        var cache = new PackageArtifactCache(100);
        cache.Add(Artifact(1, 60));
        cache.Add(Artifact(2, 101));
        Assert.That((cache.TryGet(1, out _), cache.TryGet(2, out _)), Is.EqualTo((true, false)));
        Assert.That(cache.CachedBytes, Is.EqualTo(60));
    }

    [Test]
    public void Adding_a_version_again_keeps_the_first_and_counts_it_once()
    {
        var cache = new PackageArtifactCache(100);
        var first = Artifact(1, 30);
        cache.Add(first);
        cache.Add(Artifact(1, 30));
        Assert.That(cache.TryGet(1, out var found) && ReferenceEquals(found, first), Is.True);
        Assert.That(cache.CachedBytes, Is.EqualTo(30));
    }
}
