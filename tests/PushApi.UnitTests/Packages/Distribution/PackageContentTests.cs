using System.Text;
using PushApi.Core.Packages.Distribution;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>Archives that are sound ZIPs but whose manifest and files do not agree.</summary>
public class PackageContentTests
{
    [Test]
    public void An_archive_without_a_manifest_is_refused()
    {
        var archive = SamplePackages.Archive(2);
        var zip = new ZipBuilder().Add("Manifest.json", ManifestJson.ToBytes(archive.Manifest)).Build();
        Assert.That(Refusals.Of(zip).Codes(), Is.EqualTo(new[] { ManifestMissing }));
    }

    [Test]
    public void A_file_whose_checksum_is_not_the_manifests_is_refused()
    {
        var archive = SamplePackages.Archive(3);
        var tampered = archive with { Files = archive.Files.ToDictionary(f => f.Key, f => f.Key == archive.Manifest.Items[1].Path ? "{\"tampered\":true}"u8.ToArray() : f.Value) };

        var problem = Refusals.Of(SamplePackages.ZipWithManifest(tampered, Manifest(archive))).Problems.Single();

        Assert.That(problem.Code, Is.EqualTo(ChecksumMismatch));
        Assert.That(problem.Entry, Is.EqualTo(archive.Manifest.Items[1].Path));
    }

    [Test]
    public void An_item_listed_without_its_file_is_refused()
    {
        var archive = SamplePackages.Archive(3);
        var missing = archive.Manifest.Items[2].Path;
        var zip = SamplePackages.ZipWithManifest(archive with { Files = archive.Files.Where(f => f.Key != missing).ToDictionary() }, Manifest(archive));

        var problem = Refusals.Of(zip).Problems.Single();

        Assert.That((problem.Code, problem.Entry), Is.EqualTo((MissingFile, missing)));
    }

    [Test]
    public void A_file_under_items_that_the_manifest_does_not_list_is_refused()
    {
        var archive = SamplePackages.Archive(2);
        var extra = archive with { Files = archive.Files.Append(new("items/Class/Stowaway.json", "{}"u8.ToArray())).ToDictionary() };

        var problem = Refusals.Of(SamplePackages.ZipWithManifest(extra, Manifest(archive))).Problems.Single();

        Assert.That((problem.Code, problem.Entry), Is.EqualTo((UnlistedFile, "items/Class/Stowaway.json")));
    }

    [TestCase("[1,2]", Description = "an array")]
    [TestCase("{\"a\":1", Description = "cut short")]
    [TestCase("{\"a\":1} {}", Description = "two values")]
    [TestCase("{\"a\":1,}", Description = "trailing comma")]
    [TestCase("\uFEFF{}", Description = "byte order mark")]
    public void An_item_file_that_is_not_a_JSON_object_is_refused(string file) =>
        Assert.That(RefusalWithFile(Encoding.UTF8.GetBytes(file)).Codes(), Is.EqualTo(new[] { InvalidItemFile }));

    [Test]
    public void An_item_file_that_is_not_UTF8_is_refused() =>
        Assert.That(RefusalWithFile([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]).Codes(), Is.EqualTo(new[] { InvalidItemFile }));

    [TestCase("{\"x\":\"\\udc00\"}", "a lone surrogate", Description = "a low surrogate alone")]
    [TestCase("{\"x\":\"\\ud800 \"}", "a lone surrogate", Description = "a high surrogate, then a space")]
    [TestCase("{\"\\ud800\":1}", "a lone surrogate", Description = "as a property name")]
    [TestCase("{\"x\":\"\\u0000\"}", "NUL character", Description = "NUL")]
    [TestCase("{\"x\":[{\"y\":\"a\\u0000\"}]}", "NUL character", Description = "NUL, nested")]
    public void An_item_file_holding_a_string_that_is_no_text_is_refused(string file, string why)
    {
        var problem = RefusalWithFile(Encoding.UTF8.GetBytes(file)).Problems.Single();

        Assert.That(problem.Code, Is.EqualTo(InvalidItemFile));
        Assert.That(problem.Message, Does.Contain(why));
    }

    [Test]
    public async Task Escapes_that_are_text_are_read()
    {
        var file = Encoding.UTF8.GetBytes("{\"\\u00e9t\\u00E9\":\"\\ud83d\\ude00 \\uD83D\\uDE00 \\n\\t\\\" \\\\u0000\"}");

        var read = await new PackageArchiveReader().ReadAsync(new MemoryStream(await SamplePackages.ZipAsync(WithFirstFile(file))));

        Assert.That(read.Files.Values, Does.Contain(file));
    }

    [Test]
    public void An_item_file_past_1_MiB_is_refused_before_it_is_read()
    {
        var file = SamplePackages.JsonObjectOfLength(ArchiveLimits.DefaultMaxItemFileBytes + 1, new Random(5));
        var problem = RefusalWithFile(file).Problems.Single();

        Assert.That(problem.Code, Is.EqualTo(ItemFileTooLarge));
        Assert.That(problem.Message, Does.Contain("at most 1048576"));
    }

    [Test]
    public async Task An_item_file_of_exactly_1_MiB_is_read()
    {
        var file = SamplePackages.JsonObjectOfLength(ArchiveLimits.DefaultMaxItemFileBytes, new Random(5));

        var read = await new PackageArchiveReader().ReadAsync(new MemoryStream(await SamplePackages.ZipAsync(WithFirstFile(file))));

        Assert.That(read.Files.Values, Does.Contain(file));
    }

    /// <summary>An archive whose first item's file is <paramref name="file"/>, listed with its true checksum.</summary>
    private static ArchiveRejectedException RefusalWithFile(byte[] file)
    {
        var spoiled = WithFirstFile(file);
        var refusal = Refusals.Of(SamplePackages.ZipAsync(spoiled).GetAwaiter().GetResult());
        Assert.That(refusal.Problems.Single().Entry, Is.EqualTo(spoiled.Manifest.Items[0].Path));
        return refusal;
    }

    private static PackageArchive WithFirstFile(byte[] file)
    {
        var archive = SamplePackages.Archive(2);
        var first = archive.Manifest.Items[0];
        var items = archive.Manifest.Items.Select(i => i == first ? i with { Sha256 = ItemFiles.Sha256Hex(file) } : i).ToList();
        return new PackageArchive(archive.Manifest with { Items = items }, archive.Files.ToDictionary(f => f.Key, f => f.Key == first.Path ? file : f.Value));
    }

    private static string Manifest(PackageArchive archive) => Encoding.UTF8.GetString(ManifestJson.ToBytes(archive.Manifest));
}
