using System.Diagnostics;
using System.IO.Compression;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Distribution;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>
/// A 100 MB upload costs the reader a few buffers, not its size: it goes to disk, is refused before anything
/// large is expanded, and its item files are kept only once every one of them passed.
/// </summary>
[NonParallelizable]
public class ReaderMemoryTests
{
    private const long UploadSize = 99L * 1024 * 1024;
    private const long MaxAllocated = 8L * 1024 * 1024;

    /// <summary>With the manifest.json, as many entries as a package file may have.</summary>
    private const int ManyItems = ArchiveLimits.DefaultMaxEntries - 1;

    /// <summary>Together with the manifest and the ZIP's headers, just under the upload limit.</summary>
    private const int ItemFileBytes = 9_800;

    /// <summary>The manifest of 9,999 items (1.9 MB) is parsed whole, and the directory read twice; the item files are not kept.</summary>
    private const long MaxAllocatedForManyItems = 40L * 1024 * 1024;

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
    public void A_100_MB_package_whose_last_file_is_wrong_is_refused_without_holding_the_files_before_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "pushapi-test-" + Path.GetRandomFileName());
        try
        {
            var last = WriteManyItems(path);
            using var upload = new UnseekableStream(File.OpenRead(path));
            var watch = Stopwatch.StartNew();
            var before = GC.GetTotalAllocatedBytes(precise: true);

            var refusal = Assert.ThrowsAsync<ArchiveRejectedException>(() => new PackageArchiveReader().ReadAsync(upload));

            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            TestContext.Out.WriteLine($"{allocated} bytes allocated in {watch.ElapsedMilliseconds} ms to refuse a package of {ManyItems} items, {new FileInfo(path).Length} bytes");
            Assert.That(refusal!.Problems.Select(p => (p.Code, p.Entry)), Is.EqualTo(new[] { (ChecksumMismatch, last) }));
            Assert.That(allocated, Is.LessThan(MaxAllocatedForManyItems));
        }
        finally
        {
            File.Delete(path);
        }
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

    /// <summary>
    /// A package as large as the limits allow: <see cref="ManyItems"/> stored files of about 10 KB, streamed to
    /// <paramref name="path"/>, with a valid manifest but for the last item's checksum. Returns that item's path.
    /// </summary>
    private static string WriteManyItems(string path)
    {
        var random = new Random(11);
        var items = new List<ManifestItem>(ManyItems);
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        for (var i = 0; i < ManyItems; i++)
        {
            var item = new ItemRef(ItemTypes.All[i % (ItemTypes.All.Count - 1)], $"Item {i:D5}");
            var bytes = SamplePackages.JsonObjectOfLength(ItemFileBytes, random);
            items.Add(ItemFiles.Describe(item, bytes, [], selected: true));
            using var entry = zip.CreateEntry(items[^1].Path, CompressionLevel.NoCompression).Open();
            entry.Write(bytes);
        }

        items[^1] = items[^1] with { Sha256 = ItemFiles.Sha256Hex("{}"u8) };
        var manifest = SamplePackages.Archive(0).Manifest with { Items = items };
        using (var entry = zip.CreateEntry(ManifestJson.EntryName).Open())
        {
            entry.Write(ManifestJson.ToBytes(manifest));
        }

        return items[^1].Path;
    }
}
