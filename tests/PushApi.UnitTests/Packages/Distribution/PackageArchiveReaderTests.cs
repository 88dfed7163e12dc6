using System.IO.Compression;
using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

public class PackageArchiveReaderTests
{
    [Test]
    public async Task What_the_writer_writes_the_reader_reads_back_unchanged()
    {
        var archive = SamplePackages.Archive(30);
        var zip = await SamplePackages.ZipAsync(archive);

        var read = await new PackageArchiveReader().ReadAsync(new UnseekableStream(new MemoryStream(zip)));

        Assert.That(ManifestJson.ToBytes(read.Manifest), Is.EqualTo(ManifestJson.ToBytes(archive.Manifest)));
        Assert.That(read.Manifest.Package.Id, Is.EqualTo(SamplePackages.PackageId));
        Assert.That(read.Manifest.Version.Id, Is.EqualTo(SamplePackages.VersionId));
        Assert.That(read.Files.Keys, Is.EquivalentTo(archive.Files.Keys));
        foreach (var item in read.Manifest.Items)
        {
            Assert.That(read.Files[item.Path], Is.EqualTo(archive.Files[item.Path]), item.Path);
            Assert.That(ItemFiles.Sha256Hex(read.Files[item.Path]), Is.EqualTo(item.Sha256), item.Path);
        }

        Assert.That(await SamplePackages.ZipAsync(read), Is.EqualTo(zip), "written again, the same bytes");
    }

    [Test]
    public async Task A_seekable_upload_reads_the_same_as_a_forward_only_one()
    {
        var zip = await SamplePackages.ZipAsync(SamplePackages.Archive(4));
        var read = await new PackageArchiveReader().ReadAsync(new MemoryStream(zip));

        Assert.That(await SamplePackages.ZipAsync(read), Is.EqualTo(zip));
    }

    [Test]
    public async Task A_package_without_items_is_read()
    {
        var read = await new PackageArchiveReader().ReadAsync(new MemoryStream(await SamplePackages.ZipAsync(SamplePackages.Archive(0))));

        Assert.That(read.Manifest.Items, Is.Empty);
        Assert.That(read.Files, Is.Empty);
    }

    [Test]
    public async Task Two_thousand_items_are_read_in_well_under_a_second()
    {
        var zip = await SamplePackages.ZipAsync(SamplePackages.Archive(2000));
        var read = await new PackageArchiveReader().ReadAsync(new MemoryStream(zip));
        Assert.That(read.Files, Has.Count.EqualTo(2000));
    }

    [Test]
    public async Task An_archive_built_by_another_tool_is_read_with_its_folder_entries_and_ids_normalized()
    {
        var archive = SamplePackages.Archive(2);
        var manifest = SamplePackages.ManifestNode(archive);
        manifest["package"]!["id"] = SamplePackages.PackageId[..15];
        manifest["package"]!["namespacePrefix"] = "";
        manifest["items"]![0]!["type"] = "application";
        manifest["items"]![0]!["sha256"] = archive.Manifest.Items[0].Sha256.ToUpperInvariant();
        var zip = new ZipBuilder().Add("items/", []).Add("items/Application/", []).Add("manifest.json", manifest.ToJsonString());
        foreach (var (path, bytes) in archive.Files)
        {
            zip.Add(path, bytes, level: CompressionLevel.NoCompression);
        }

        var read = await new PackageArchiveReader().ReadAsync(new MemoryStream(zip.Build()));

        Assert.That(read.Manifest.Package.Id, Is.EqualTo(SamplePackages.PackageId));
        Assert.That(read.Manifest.Package.NamespacePrefix, Is.Null);
        Assert.That(read.Manifest.Items[0].Type, Is.EqualTo("Application"));
        Assert.That(read.Manifest.Items[0].Sha256, Is.EqualTo(archive.Manifest.Items[0].Sha256));
        Assert.That(read.Files.Keys, Is.EquivalentTo(archive.Files.Keys));
    }

    [Test]
    public async Task Files_outside_items_are_left_unread_and_unknown_manifest_properties_ignored()
    {
        var archive = SamplePackages.Archive(2);
        var manifest = SamplePackages.ManifestNode(archive);
        manifest["formatVersion"] = 2;
        manifest["version"]!["description"] = "added by a later writer";
        var zip = SamplePackages.ZipWithManifest(archive, manifest.ToJsonString());
        var withExtras = new ZipBuilder().Add("README.txt", "hello").Add("__MACOSX/._manifest.json", [0, 5, 22, 7]).Build();

        var read = await new PackageArchiveReader().ReadAsync(new MemoryStream(Merge(zip, withExtras)));

        Assert.That(read.Files.Keys, Is.EquivalentTo(archive.Files.Keys));
    }

    [Test]
    public void The_refusal_lists_every_problem_found_in_one_pass()
    {
        var archive = SamplePackages.Archive(3);
        var manifest = SamplePackages.ManifestNode(archive);
        manifest["package"]!["id"] = "not an id";
        manifest["version"]!["releaseState"] = "Final";
        manifest["items"]![1]!["sha256"] = "abc";

        var refusal = Refusals.Of(SamplePackages.ZipWithManifest(archive, manifest.ToJsonString()));

        Assert.That(refusal.Problems.Select(p => p.Message.Split(':')[0]), Is.EqualTo(new[] { "$.package.id", "$.version.releaseState", "$.items[1].sha256" }));
        Assert.That(refusal.Problems.Select(p => p.Entry).Distinct(), Is.EqualTo(new[] { "manifest.json" }));
        Assert.That(refusal.Message, Does.Contain("(and 2 more problems)"));
    }

    [Test]
    public void A_hostile_value_is_shown_back_shortened()
    {
        var archive = SamplePackages.Archive(1);
        var manifest = SamplePackages.ManifestNode(archive);
        var noise = new byte[50_000];
        new Random(3).NextBytes(noise);
        manifest["version"]!["releaseState"] = Convert.ToHexString(noise);

        var problem = Refusals.Of(SamplePackages.ZipWithManifest(archive, manifest.ToJsonString())).Problems.Single();

        Assert.That(problem.Message, Has.Length.LessThan(200));
    }

    /// <summary>The entries of two ZIPs in one (the second's appended to the first's).</summary>
    private static byte[] Merge(byte[] first, byte[] second)
    {
        using var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var source in new[] { first, second })
            {
                using var zip = new ZipArchive(new MemoryStream(source));
                foreach (var entry in zip.Entries)
                {
                    using var from = entry.Open();
                    using var to = target.CreateEntry(entry.FullName).Open();
                    from.CopyTo(to);
                }
            }
        }

        return output.ToArray();
    }
}
