using System.Diagnostics;
using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

internal static class Refusals
{
    /// <summary>Reads <paramref name="zip"/> (through a forward-only stream, as a request body arrives) and returns the refusal, which must come in well under a second.</summary>
    public static ArchiveRejectedException Of(byte[] zip, ArchiveLimits? limits = null) => Of(new UnseekableStream(new MemoryStream(zip)), limits);

    public static ArchiveRejectedException Of(Stream upload, ArchiveLimits? limits = null)
    {
        var reader = new PackageArchiveReader(limits);
        var watch = Stopwatch.StartNew();
        var refusal = Assert.ThrowsAsync<ArchiveRejectedException>(() => reader.ReadAsync(upload));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "refused, but slowly");
        return refusal ?? throw new AssertionException("not refused");
    }

    public static List<string> Codes(this ArchiveRejectedException refusal) => [.. refusal.Problems.Select(p => p.Code)];
}
