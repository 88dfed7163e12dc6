using System.IO.Compression;
using PushApi.Core.Packages.Distribution;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>A 100 MB upload costs the reader a few buffers, not its size: it goes to disk, and is refused before anything large is expanded.</summary>
[NonParallelizable]
public class ReaderMemoryTests
{
    private const long UploadSize = 99L * 1024 * 1024;
    private const long MaxAllocated = 8L * 1024 * 1024;

    private string _zipPath = "";

    [OneTimeSetUp]
    public void WriteA100MegabyteZip()
    {
        _zipPath = Path.Combine(Path.GetTempPath(), "pushapi-test-" + Path.GetRandomFileName());
        var archive = SamplePackages.Archive(2);
        using var file = File.Create(_zipPath);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using (var manifest = zip.CreateEntry(ManifestJson.EntryName).Open())
        {
            manifest.Write(ManifestJson.ToBytes(archive.Manifest));
        }

        foreach (var (path, bytes) in archive.Files)
        {
            using var item = zip.CreateEntry(path).Open();
            item.Write(bytes);
        }

        // Random bytes do not compress, so the entry is as large in the upload as expanded.
        using var stowaway = zip.CreateEntry("items/Class/Stowaway.json", CompressionLevel.NoCompression).Open();
        var chunk = new byte[1024 * 1024];
        var random = new Random(7);
        for (long written = 0; written < UploadSize; written += chunk.Length)
        {
            random.NextBytes(chunk);
            stowaway.Write(chunk);
        }
    }

    [OneTimeTearDown]
    public void Delete() => File.Delete(_zipPath);

    [Test]
    public void A_100_MB_upload_is_refused_without_being_held_in_memory()
    {
        using var upload = new UnseekableStream(File.OpenRead(_zipPath));
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var refusal = Refusals.Of(upload);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"{allocated} bytes allocated to refuse an upload of {new FileInfo(_zipPath).Length}");
        Assert.That(refusal.Codes(), Is.EqualTo(new[] { UnlistedFile }));
        Assert.That(allocated, Is.LessThan(MaxAllocated));
    }

    [Test]
    public void An_upload_past_100_MB_is_refused_at_the_limit_without_being_held_in_memory()
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var refusal = Refusals.Of(new GeneratedUpload(ArchiveLimits.DefaultMaxUploadBytes + 1));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"{allocated} bytes allocated to refuse an upload past {ArchiveLimits.DefaultMaxUploadBytes}");
        Assert.That(refusal.Codes(), Is.EqualTo(new[] { UploadTooLarge }));
        Assert.That(allocated, Is.LessThan(MaxAllocated));
    }

    [Test]
    public void The_temporary_copy_is_gone_once_the_upload_is_refused()
    {
        var directory = Directory.CreateTempSubdirectory("pushapi-spool-").FullName;
        try
        {
            var reader = new PackageArchiveReader(temporaryDirectory: directory);
            Assert.ThrowsAsync<ArchiveRejectedException>(() => reader.ReadAsync(new GeneratedUpload(1000)));
            Assert.That(Directory.GetFiles(directory), Is.Empty);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
