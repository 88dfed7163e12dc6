using System.Buffers.Binary;
using System.Text;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.Core.Packages.Distribution;

/// <summary>An entry as the ZIP's central directory declares it (nothing here has been checked against the data).</summary>
internal sealed record ZipDirectoryEntry(string Name, long CompressedSize, long Size, int Flags, int Method, uint ExternalAttributes)
{
    public bool IsDirectory => Name.EndsWith('/');
}

/// <summary>
/// Reads a ZIP's central directory with bounded memory before <see cref="System.IO.Compression.ZipArchive"/>
/// sees the file. ZipArchive trusts the entry count of the end record and keeps every name it reads, so a
/// hostile directory (millions of entries, 64 KB names) would cost memory before any check could run. This
/// walks the directory the way ZipArchive does (from the end record's offset, entry after entry) and stops
/// at the first thing a package file never holds.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint EntrySignature = 0x02014b50;
    private const int EndSize = 22;
    private const int EntrySize = 46;
    private const int MaxCommentLength = ushort.MaxValue;

    public static IReadOnlyList<ZipDirectoryEntry> Read(Stream file, ArchiveLimits limits)
    {
        var (count, offset) = ReadEnd(file);
        if (count > limits.MaxEntries)
        {
            throw new ArchiveRejectedException(TooManyEntries, null, $"The file has {count} entries; a package file has at most {limits.MaxEntries}.");
        }

        if (offset > file.Length)
        {
            throw NotAZipFile("its central directory starts past the end of the file");
        }

        file.Position = offset;
        var entries = new List<ZipDirectoryEntry>(count);
        Span<byte> header = stackalloc byte[EntrySize];
        for (var i = 0; i < count; i++)
        {
            entries.Add(ReadEntry(file, header, i));
        }

        // ZipArchive reads on while it finds entry headers and fails only after keeping one more.
        if (file.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false) == 4 && BinaryPrimitives.ReadUInt32LittleEndian(header) == EntrySignature)
        {
            throw NotAZipFile("its central directory holds more entries than its end record declares");
        }

        return entries;
    }

    /// <summary>The entry count and directory offset of the end record: the last one in the final 64 KB, as ZipArchive finds it.</summary>
    private static (int Count, long Offset) ReadEnd(Stream file)
    {
        if (file.Length < EndSize)
        {
            throw NotAZipFile("it is too short");
        }

        var tailLength = (int)Math.Min(file.Length, EndSize + MaxCommentLength);
        var tail = new byte[tailLength];
        file.Position = file.Length - tailLength;
        file.ReadExactly(tail);
        for (var at = tailLength - EndSize; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at)) == EndSignature)
            {
                return ParseEnd(tail.AsSpan(at, EndSize));
            }
        }

        throw NotAZipFile("no end-of-central-directory record was found");
    }

    private static (int Count, long Offset) ParseEnd(ReadOnlySpan<byte> end)
    {
        var disk = BinaryPrimitives.ReadUInt16LittleEndian(end[4..]);
        var directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(end[6..]);
        var countOnDisk = BinaryPrimitives.ReadUInt16LittleEndian(end[8..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(end[10..]);
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);

        // These markers send ZipArchive to a ZIP64 record; nothing within a package file's limits needs one.
        if (disk == ushort.MaxValue || count == ushort.MaxValue || offset == uint.MaxValue)
        {
            throw new ArchiveRejectedException(UnsupportedZip, null, "ZIP64 archives are not accepted: a package file is small enough not to need ZIP64.");
        }

        if (disk != 0 || directoryDisk != 0 || countOnDisk != count)
        {
            throw new ArchiveRejectedException(UnsupportedZip, null, "Split or spanned archives are not accepted.");
        }

        return (count, offset);
    }

    private static ZipDirectoryEntry ReadEntry(Stream file, Span<byte> header, int index)
    {
        if (file.ReadAtLeast(header, EntrySize, throwOnEndOfStream: false) < EntrySize
            || BinaryPrimitives.ReadUInt32LittleEndian(header) != EntrySignature)
        {
            throw NotAZipFile($"central directory entry {index + 1} is missing or damaged");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        var compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        var startDisk = BinaryPrimitives.ReadUInt16LittleEndian(header[34..]);
        var attributes = BinaryPrimitives.ReadUInt32LittleEndian(header[38..]);
        var localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);

        if (compressedSize == uint.MaxValue || size == uint.MaxValue || localOffset == uint.MaxValue || startDisk == ushort.MaxValue)
        {
            throw new ArchiveRejectedException(UnsupportedZip, null, $"Central directory entry {index + 1} uses ZIP64, which a package file never needs.");
        }

        if (nameLength > ArchiveLimits.MaxEntryNameLength)
        {
            throw new ArchiveRejectedException(UnsafePath, null, $"Central directory entry {index + 1} has a name of {nameLength} bytes; entry names are at most {ArchiveLimits.MaxEntryNameLength}.");
        }

        var nameBytes = new byte[nameLength];
        if (file.ReadAtLeast(nameBytes, nameLength, throwOnEndOfStream: false) < nameLength)
        {
            throw NotAZipFile($"central directory entry {index + 1} is cut short");
        }

        file.Seek(extraLength + commentLength, SeekOrigin.Current);
        // Latin-1 keeps every byte as one character; the entry rules refuse anything but printable ASCII.
        return new ZipDirectoryEntry(Encoding.Latin1.GetString(nameBytes), compressedSize, size, flags, method, attributes);
    }

    private static ArchiveRejectedException NotAZipFile(string why) => new(NotAZip, null, $"The file is not a readable ZIP: {why}.");
}
