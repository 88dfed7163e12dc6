using System.IO.Compression;
using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

public class Crc32Tests
{
    [Test]
    public void The_check_value_of_the_standard_is_reproduced() =>
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926));

    [Test]
    public void It_agrees_with_what_ZipArchive_records()
    {
        var bytes = new byte[100_000];
        new Random(5).NextBytes(bytes);
        using var zip = new ZipArchive(new MemoryStream(new ZipBuilder().Add("x", bytes).Build()));
        Assert.That(Crc32.Compute(bytes), Is.EqualTo(zip.Entries[0].Crc32));
    }
}
