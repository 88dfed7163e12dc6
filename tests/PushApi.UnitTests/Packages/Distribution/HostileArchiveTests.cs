using System.IO.Compression;
using System.Text;
using PushApi.Core.Packages.Distribution;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>Uploads built to hurt: each is refused, with the code that names why, in well under a second.</summary>
public class HostileArchiveTests
{
    private const int Symlink = unchecked((int)0xA1FF_0000);

    [TestCase("../evil.json")]
    [TestCase("items/../../evil.json")]
    [TestCase("items/Class/..")]
    [TestCase("items/..\\..\\evil.json")]
    public void A_zip_slip_entry_is_refused(string name) =>
        Assert.That(RefusalOf(name).Codes(), Does.Contain(PathTraversal));

    [TestCase("/etc/cron.d/evil")]
    [TestCase("\\evil.json")]
    [TestCase("C:/Windows/evil.json")]
    [TestCase("c:evil.json")]
    public void An_absolute_path_is_refused(string name) =>
        Assert.That(RefusalOf(name).Codes(), Does.Contain(AbsolutePath));

    [TestCase("items\\Class\\Evil.json", Description = "backslashes")]
    [TestCase("items//Evil.json", Description = "empty segment")]
    [TestCase("./manifest.json", Description = "dot segment")]
    [TestCase("items/Class/Evil.json\u0000.txt", Description = "NUL")]
    [TestCase("items/Class/Ev\u00efl.json", Description = "not ASCII")]
    [TestCase("items/Class/Evil.json:stream", Description = "colon")]
    public void A_name_that_is_not_a_plain_relative_path_is_refused(string name) =>
        Assert.That(RefusalOf(name).Codes(), Does.Contain(UnsafePath));

    [Test]
    public void A_name_longer_than_any_package_path_is_refused()
    {
        var refusal = RefusalOf("items/Class/" + new string('a', 300) + ".json");
        Assert.That(refusal.Codes(), Is.EqualTo(new[] { UnsafePath }));
    }

    [Test]
    public void A_symlink_entry_is_refused()
    {
        var refusal = Refusals.Of(Valid(z => z.Add("items/Class/Link.json", Encoding.ASCII.GetBytes("/etc/passwd"), Symlink)));
        Assert.That(refusal.Problems.Single(), Is.EqualTo(new ArchiveProblem(LinkEntry, "items/Class/Link.json", refusal.Problems[0].Message)));
    }

    [Test]
    public void A_windows_reparse_point_and_a_fifo_are_refused()
    {
        var refusal = Refusals.Of(Valid(z => z.Add("junction", [], 0x410).Add("fifo", [], unchecked((int)0x11A4_0000))));
        Assert.That(refusal.Codes(), Is.EqualTo(new[] { LinkEntry, SpecialEntry }));
    }

    [Test]
    public void Two_entries_whose_names_differ_only_in_case_are_refused()
    {
        var refusal = Refusals.Of(Valid(z => z.Add("MANIFEST.JSON", "{}")));
        Assert.That(refusal.Codes(), Is.EqualTo(new[] { DuplicateEntry }));
    }

    [Test]
    public void A_bomb_of_200_MB_of_zeros_is_refused_before_expanding()
    {
        var refusal = Refusals.Of(ZipBuilder.Zeros("items/Class/Bomb.json", 200L * 1024 * 1024));
        Assert.That(refusal.Codes(), Is.EquivalentTo(new[] { ExpandedTooLarge, CompressionRatio, ExpandedTooLarge, CompressionRatio }));
    }

    [Test]
    public void An_entry_within_the_size_limit_but_compressed_more_than_100_times_is_refused()
    {
        var refusal = Refusals.Of(ZipBuilder.Zeros("items/Class/Zeros.json", 20L * 1024 * 1024));
        Assert.That(refusal.Codes(), Is.EqualTo(new[] { CompressionRatio, CompressionRatio }));
        Assert.That(refusal.Problems.Select(p => p.Entry), Is.EqualTo(new[] { "items/Class/Zeros.json", null }));
    }

    [Test]
    public void An_entry_that_holds_more_than_its_declared_size_is_refused()
    {
        var archive = SamplePackages.Archive(1);
        var manifest = ManifestJson.ToBytes(archive.Manifest);
        var padded = manifest.Concat(Enumerable.Repeat((byte)' ', 4 * 1024 * 1024)).ToArray();
        var zip = new ZipBuilder().Add("manifest.json", padded).Add(archive.Manifest.Items[0].Path, archive.Files.Single().Value).Build();
        ZipBuilder.SetDeclaredSize(zip, "manifest.json", (uint)manifest.Length);

        var refusal = Refusals.Of(zip);

        Assert.That(refusal.Problems.Single().Code, Is.EqualTo(CorruptEntry));
        Assert.That(refusal.Problems.Single().Entry, Is.EqualTo("manifest.json"));
    }

    [Test]
    public void An_entry_shorter_than_its_declared_size_is_refused()
    {
        var archive = SamplePackages.Archive(1);
        var zip = SamplePackages.ZipWithManifest(archive, Encoding.UTF8.GetString(ManifestJson.ToBytes(archive.Manifest)));
        ZipBuilder.SetDeclaredSize(zip, archive.Manifest.Items[0].Path, (uint)archive.Files.Single().Value.Length + 10);

        Assert.That(Refusals.Of(zip).Codes(), Is.EqualTo(new[] { CorruptEntry }));
    }

    [Test]
    public void More_than_10000_entries_are_refused()
    {
        var zip = new ZipBuilder();
        for (var i = 0; i <= 10_000; i++)
        {
            zip.Add($"x/{i}", [], level: CompressionLevel.NoCompression);
        }

        Assert.That(Refusals.Of(zip.Build()).Codes(), Is.EqualTo(new[] { TooManyEntries }));
    }

    [Test]
    public void A_directory_with_more_entries_than_its_end_record_declares_is_refused()
    {
        var zip = new ZipBuilder().Add("a", "1").Add("b", "2").Add("c", "3").Build();
        ZipBuilder.SetEntryCount(zip, 2);
        Assert.That(Refusals.Of(zip).Codes(), Is.EqualTo(new[] { NotAZip }));
    }

    [Test]
    public void A_ZIP64_end_record_is_refused()
    {
        var zip = new ZipBuilder().Add("a", "1").Build();
        ZipBuilder.SetEntryCount(zip, ushort.MaxValue);
        Assert.That(Refusals.Of(zip).Codes(), Is.EqualTo(new[] { UnsupportedZip }));
    }

    [Test]
    public void Encrypted_entries_and_unknown_compression_methods_are_refused()
    {
        var zip = Valid(z => z.Add("secret", "x").Add("lzma", "y"));
        ZipBuilder.SetFlags(zip, "secret", 1);
        ZipBuilder.SetMethod(zip, "lzma", 14);
        Assert.That(Refusals.Of(zip).Codes(), Is.EqualTo(new[] { UnsupportedEntry, UnsupportedEntry }));
    }

    [TestCase(new byte[0], Description = "empty")]
    [TestCase(new byte[] { 0x50, 0x4B, 0x03, 0x04, 1, 2, 3 }, Description = "a local header and nothing else")]
    [TestCase(new byte[] { 0x7B, 0x7D, 0x0A, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20 }, Description = "JSON")]
    public void A_file_that_is_not_a_ZIP_is_refused(byte[] upload) =>
        Assert.That(Refusals.Of(upload).Codes(), Is.EqualTo(new[] { NotAZip }));

    [Test]
    public void An_upload_past_the_limit_is_refused_while_it_is_still_arriving()
    {
        var upload = new GeneratedUpload(long.MaxValue);
        Assert.That(Refusals.Of(upload, new ArchiveLimits { MaxUploadBytes = 1024 * 1024 }).Codes(), Is.EqualTo(new[] { UploadTooLarge }));
    }

    [Test]
    public void The_limits_can_be_lowered()
    {
        var zip = SamplePackages.ZipAsync(SamplePackages.Archive(3)).GetAwaiter().GetResult();

        Assert.That(Refusals.Of(zip, new ArchiveLimits { MaxUploadBytes = zip.Length - 1 }).Codes(), Is.EqualTo(new[] { UploadTooLarge }));
        Assert.That(Refusals.Of(zip, new ArchiveLimits { MaxEntries = 3 }).Codes(), Is.EqualTo(new[] { TooManyEntries }));
        Assert.That(Refusals.Of(zip, new ArchiveLimits { MaxExpandedBytes = 2000 }).Codes(), Does.Contain(ExpandedTooLarge));
        Assert.That(Refusals.Of(zip, new ArchiveLimits { MaxCompressionRatio = 1 }).Codes(), Does.Contain(CompressionRatio));
        Assert.That(Refusals.Of(zip, new ArchiveLimits { MaxManifestBytes = 100 }).Codes(), Is.EqualTo(new[] { ManifestTooLarge }));
        Assert.That(Refusals.Of(zip, new ArchiveLimits { MaxItemFileBytes = 100 }).Codes(), Is.EqualTo(new[] { ItemFileTooLarge, ItemFileTooLarge, ItemFileTooLarge }));
    }

    /// <summary>A valid package with one more entry named <paramref name="name"/>, and its refusal.</summary>
    private static ArchiveRejectedException RefusalOf(string name) => Refusals.Of(Valid(z => z.Add(name, "{}")));

    private static byte[] Valid(Action<ZipBuilder> spoil)
    {
        var archive = SamplePackages.Archive(2);
        var zip = new ZipBuilder().Add("manifest.json", ManifestJson.ToBytes(archive.Manifest));
        foreach (var (path, bytes) in archive.Files)
        {
            zip.Add(path, bytes);
        }

        spoil(zip);
        return zip.Build();
    }
}
