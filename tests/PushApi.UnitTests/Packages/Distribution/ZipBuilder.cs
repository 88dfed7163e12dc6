using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>Builds ZIPs entry by entry (any name, attributes, compression), and patches their headers afterwards to make them lie.</summary>
internal sealed class ZipBuilder
{
    private readonly List<(string Name, byte[] Bytes, int? Attributes, CompressionLevel Level)> _entries = [];

    public ZipBuilder Add(string name, byte[] bytes, int? attributes = null, CompressionLevel level = CompressionLevel.Optimal)
    {
        _entries.Add((name, bytes, attributes, level));
        return this;
    }

    public ZipBuilder Add(string name, string text) => Add(name, Encoding.UTF8.GetBytes(text));

    public byte[] Build()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes, attributes, level) in _entries)
            {
                var entry = zip.CreateEntry(name, level);
                if (attributes is { } value)
                {
                    entry.ExternalAttributes = value;
                }

                using var stream = entry.Open();
                stream.Write(bytes);
            }
        }

        return output.ToArray();
    }

    /// <summary>One entry of <paramref name="length"/> zeros, deflated as they are written (nothing that size is held).</summary>
    public static byte[] Zeros(string name, long length)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
            var chunk = new byte[1 << 20];
            for (var left = length; left > 0; left -= chunk.Length)
            {
                stream.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        }

        return output.ToArray();
    }

    /// <summary>Sets the declared expanded size of an entry, in the central directory and its local header.</summary>
    public static void SetDeclaredSize(byte[] zip, string name, uint size)
    {
        var central = CentralEntry(zip, name);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 24), size);
        var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(central + 42));
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(local + 22), size);
    }

    public static void SetFlags(byte[] zip, string name, ushort flags) =>
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(CentralEntry(zip, name) + 8), flags);

    public static void SetMethod(byte[] zip, string name, ushort method) =>
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(CentralEntry(zip, name) + 10), method);

    /// <summary>Sets the entry count of the end record (the ZIPs built here have no comment, so it is the last 22 bytes).</summary>
    public static void SetEntryCount(byte[] zip, ushort count)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(zip.Length - 22 + 8), count);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(zip.Length - 22 + 10), count);
    }

    private static int CentralEntry(byte[] zip, string name)
    {
        var end = zip.Length - 22;
        var count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        var at = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        for (var i = 0; i < count; i++)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 28));
            if (Encoding.UTF8.GetString(zip, at + 46, nameLength) == name)
            {
                return at;
            }

            at += 46 + nameLength + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 30)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 32));
        }

        throw new ArgumentException($"No entry {name}.", nameof(name));
    }
}
