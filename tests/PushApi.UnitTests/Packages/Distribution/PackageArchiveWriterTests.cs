using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

public class PackageArchiveWriterTests
{
    [Test]
    public async Task The_manifest_comes_first_then_each_item_file_in_manifest_order()
    {
        var archive = SamplePackages.Archive(5);
        using var zip = new ZipArchive(new MemoryStream(await SamplePackages.ZipAsync(archive)));

        Assert.That(zip.Entries.Select(e => e.FullName), Is.EqualTo(new[] { "manifest.json" }.Concat(archive.Manifest.Items.Select(i => i.Path))));
        Assert.That(archive.Manifest.Items[0].Path, Is.EqualTo("items/Application/Item 00000.json"));
        foreach (var item in archive.Manifest.Items)
        {
            using var stream = zip.GetEntry(item.Path)!.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            Assert.That(ItemFiles.Sha256Hex(bytes.ToArray()), Is.EqualTo(item.Sha256));
        }
    }

    [Test]
    public async Task The_same_version_gives_the_same_bytes_whatever_stream_it_is_written_to()
    {
        var archive = SamplePackages.Archive(20);
        var first = await SamplePackages.ZipAsync(archive);
        var second = await SamplePackages.ZipAsync(SamplePackages.Archive(20));
        using var response = new MemoryStream();
        await PackageArchiveWriter.WriteAsync(archive, new UnseekableStream(response), PackageArchiveWriter.DefaultTimestamp);

        Assert.That(second, Is.EqualTo(first));
        Assert.That(response.ToArray(), Is.EqualTo(first));
    }

    [Test]
    public async Task Every_entry_carries_the_given_time_and_is_a_plain_file()
    {
        var created = new DateTimeOffset(2026, 11, 30, 17, 45, 12, TimeSpan.FromHours(2));
        using var output = new MemoryStream();
        await PackageArchiveWriter.WriteAsync(SamplePackages.Archive(2), output, created);
        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));

        foreach (var entry in zip.Entries)
        {
            Assert.That(entry.LastWriteTime.DateTime, Is.EqualTo(new DateTime(2026, 11, 30, 15, 45, 12, DateTimeKind.Unspecified)), entry.FullName);
            Assert.That((entry.ExternalAttributes >> 16) & 0xF000, Is.EqualTo(0x8000), entry.FullName);
        }
    }

    [Test]
    public async Task Times_a_ZIP_cannot_hold_are_clamped_to_its_range()
    {
        using var output = new MemoryStream();
        await PackageArchiveWriter.WriteAsync(SamplePackages.Archive(1), output, DateTimeOffset.MinValue);
        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));

        Assert.That(zip.Entries[0].LastWriteTime.Year, Is.EqualTo(1980));
    }

    [Test]
    public void A_definition_is_written_as_compact_UTF8_JSON_and_writing_it_again_changes_nothing()
    {
        using var document = JsonDocument.Parse("{ \"name\" : \"Caf\u00e9 <b>\",\n  \"size\": 1.50, \"tags\": [ 1, 2 ] }");
        var file = ItemFiles.ToBytes(document.RootElement);
        using var again = JsonDocument.Parse(file);

        Assert.That(Encoding.UTF8.GetString(file), Is.EqualTo("{\"name\":\"Caf\\u00E9 \\u003Cb\\u003E\",\"size\":1.50,\"tags\":[1,2]}"));
        Assert.That(ItemFiles.ToBytes(again.RootElement), Is.EqualTo(file));
    }

    [Test]
    public void A_definition_that_is_not_an_object_is_refused()
    {
        using var document = JsonDocument.Parse("[1]");
        Assert.That(() => ItemFiles.ToBytes(document.RootElement), Throws.ArgumentException);
    }

    [Test]
    public void The_checksum_is_the_lower_case_hex_SHA_256_of_the_bytes() =>
        Assert.That(ItemFiles.Sha256Hex("abc"u8), Is.EqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));

    [Test]
    public void The_manifest_is_the_record_in_camelCase()
    {
        var archive = SamplePackages.Archive(3);
        using var manifest = JsonDocument.Parse(ManifestJson.ToBytes(archive.Manifest));
        var root = manifest.RootElement;

        Assert.That(Names(root), Is.EqualTo(new[] { "package", "version", "dependencies", "items" }));
        Assert.That(Names(root.GetProperty("package")), Is.EqualTo(new[] { "id", "name", "namespacePrefix", "locked" }));
        Assert.That(Names(root.GetProperty("version")), Is.EqualTo(new[] { "id", "name", "majorVersion", "minorVersion", "patchVersion", "buildNumber", "releaseState" }));
        Assert.That(Names(root.GetProperty("dependencies")[0]), Is.EqualTo(new[] { "packageId", "minimumVersion" }));
        Assert.That(Names(root.GetProperty("items")[2]), Is.EqualTo(new[] { "type", "name", "path", "sha256", "includedBy", "selected" }));
        Assert.That(Names(root.GetProperty("items")[2].GetProperty("includedBy")[0]), Is.EqualTo(new[] { "type", "name" }));
    }

    [Test]
    public void An_archive_whose_files_do_not_match_its_manifest_is_not_written()
    {
        var archive = SamplePackages.Archive(2);
        var missing = archive with { Files = archive.Files.Skip(1).ToDictionary() };
        var extra = archive with { Files = archive.Files.Append(new("items/Class/Stray.json", "{}"u8.ToArray())).ToDictionary() };

        Assert.That(() => PackageArchiveWriter.WriteAsync(missing, Stream.Null, PackageArchiveWriter.DefaultTimestamp), Throws.ArgumentException);
        Assert.That(() => PackageArchiveWriter.WriteAsync(extra, Stream.Null, PackageArchiveWriter.DefaultTimestamp), Throws.ArgumentException);
    }

    [Test]
    public async Task Two_thousand_items_are_written_well_within_the_300_ms_budget()
    {
        var archive = SamplePackages.Archive(2000);
        await SamplePackages.ZipAsync(archive);

        var watch = Stopwatch.StartNew();
        await PackageArchiveWriter.WriteAsync(archive, new UnseekableStream(Stream.Null), PackageArchiveWriter.DefaultTimestamp);

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(150)));
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
