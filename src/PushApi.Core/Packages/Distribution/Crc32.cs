namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// The ZIP's CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320). ZipArchive stops expanding an entry at the
/// size its header declares, so an entry that holds more than it declares reads as a plausible prefix; the
/// header's CRC, computed over all of it, is what shows the lie. (System.IO.Hashing is not in the BCL.)
/// </summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320;

    private static readonly uint[] Table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc = Table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
