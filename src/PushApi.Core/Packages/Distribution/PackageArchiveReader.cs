using System.Buffers;
using System.IO.Compression;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// Reads an uploaded package ZIP, which is untrusted. The upload goes to a temporary file (never whole into
/// memory); then, cheapest check first, the directory (<see cref="ZipDirectory"/>), every entry's name, kind,
/// size and ratio (<see cref="ZipEntryRules"/>), the manifest (<see cref="ManifestParser"/>), the listing
/// (each item's file present, nothing unlisted under <c>items/</c>), and last each item file's bytes: at most
/// <see cref="ArchiveLimits.MaxItemFileBytes"/>, exactly as many as declared, the manifest's SHA-256, a JSON
/// object of text. Item files are checked in a first pass that keeps none of them, and read to be kept only
/// once all passed. Entries outside <c>items/</c> other than the manifest are left unread, so a later format
/// can add files. Anything wrong is an <see cref="ArchiveRejectedException"/>.
/// </summary>
public sealed class PackageArchiveReader
{
    private const string ItemsFolder = "items/";

    private readonly string _temporaryDirectory;

    /// <param name="limits">Null for <see cref="ArchiveLimits.Default"/>.</param>
    /// <param name="temporaryDirectory">Where uploads are spooled; null for the system's temporary directory.</param>
    public PackageArchiveReader(ArchiveLimits? limits = null, string? temporaryDirectory = null)
    {
        Limits = limits ?? ArchiveLimits.Default;
        _temporaryDirectory = temporaryDirectory ?? Path.GetTempPath();
    }

    public ArchiveLimits Limits { get; }

    /// <summary>Reads <paramref name="upload"/> to its end (or to the upload limit) and returns the manifest and each item's file.</summary>
    /// <exception cref="ArchiveRejectedException">The file is not a package file this service accepts.</exception>
    public async Task<PackageArchive> ReadAsync(Stream upload, CancellationToken cancellationToken = default)
    {
        var file = await UploadSpool.CopyAsync(upload, Limits.MaxUploadBytes, _temporaryDirectory, cancellationToken);
        await using (file)
        {
            // From here the file is local and bounded by the limits: plain synchronous reads.
            return Read(file, cancellationToken);
        }
    }

    private PackageArchive Read(FileStream file, CancellationToken cancellationToken)
    {
        var declared = ZipDirectory.Read(file, Limits);
        ZipEntryRules.Check(declared, file.Length, Limits);
        using var zip = Open(file);
        var entries = Match(zip, declared);
        var manifest = ReadManifest(entries);
        CheckListing(manifest, declared);
        CheckItemFiles(manifest, entries, cancellationToken);
        var files = ReadItemFiles(manifest, entries, cancellationToken);
        return new PackageArchive(manifest, files);
    }

    private static ZipArchive Open(FileStream file)
    {
        file.Position = 0;
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveRejectedException(NotAZip, null, $"The file is not a readable ZIP: {e.Message}");
        }
    }

    /// <summary>ZipArchive's entries by name, which must be the ones <see cref="ZipDirectory"/> read and checked.</summary>
    private static Dictionary<string, ZipArchiveEntry> Match(ZipArchive zip, IReadOnlyList<ZipDirectoryEntry> declared)
    {
        Dictionary<string, ZipArchiveEntry> entries;
        try
        {
            entries = zip.Entries.ToDictionary(e => e.FullName, StringComparer.Ordinal);
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveRejectedException(NotAZip, null, $"The file is not a readable ZIP: {e.Message}");
        }

        var agree = entries.Count == declared.Count && declared.All(d =>
            entries.TryGetValue(d.Name, out var e) && e.Length == d.Size && e.CompressedLength == d.CompressedSize);
        return agree ? entries : throw new ArchiveRejectedException(NotAZip, null, "The file is not a readable ZIP: its directory reads two ways.");
    }

    private PackageManifest ReadManifest(Dictionary<string, ZipArchiveEntry> entries)
    {
        if (!entries.TryGetValue(ManifestJson.EntryName, out var entry))
        {
            throw new ArchiveRejectedException(ManifestMissing, null, $"The file has no {ManifestJson.EntryName} at its root.");
        }

        if (entry.Length > Limits.MaxManifestBytes)
        {
            throw new ArchiveRejectedException(ManifestTooLarge, ManifestJson.EntryName, $"The manifest is {entry.Length} bytes; at most {Limits.MaxManifestBytes} are read.");
        }

        return ManifestParser.Parse(ReadBytes(entry));
    }

    private static void CheckListing(PackageManifest manifest, IReadOnlyList<ZipDirectoryEntry> declared)
    {
        var problems = new ProblemList();
        var files = declared.Where(e => !e.IsDirectory).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var item in manifest.Items.Where(i => !files.Contains(i.Path)))
        {
            problems.Add(MissingFile, item.Path, $"The manifest lists {item.Type} '{item.Name}', but the file has no {item.Path}.");
        }

        var listed = manifest.Items.Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var name in files.Where(n => n.StartsWith(ItemsFolder, StringComparison.Ordinal) && !listed.Contains(n)))
        {
            problems.Add(UnlistedFile, name, "The manifest does not list this file; every file under items/ is an item the manifest lists.");
        }

        problems.ThrowIfAny();
    }

    /// <summary>
    /// The first pass over the item files: each expanded into one reused buffer and checked (size, CRC-32,
    /// SHA-256, a JSON object of text), nothing kept. A file refused at its last item costs one buffer, not
    /// every file before it.
    /// </summary>
    private void CheckItemFiles(PackageManifest manifest, Dictionary<string, ZipArchiveEntry> entries, CancellationToken cancellationToken)
    {
        var problems = new ProblemList();
        var largest = manifest.Items.Select(i => entries[i.Path].Length).Where(n => n <= Limits.MaxItemFileBytes).DefaultIfEmpty(0).Max();
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(largest, 1));
        try
        {
            foreach (var item in manifest.Items)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = entries[item.Path];
                if (entry.Length > Limits.MaxItemFileBytes)
                {
                    problems.Add(ItemFileTooLarge, item.Path, $"The file expands to {entry.Length} bytes; an item's file is at most {Limits.MaxItemFileBytes}.");
                }
                else if (ItemFileProblem(item, Expand(entry, buffer.AsSpan(0, (int)entry.Length))) is { } problem)
                {
                    problems.Add(problem.Code, item.Path, problem.Message);
                }

                if (problems.IsFull)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        problems.ThrowIfAny();
    }

    private static (string Code, string Message)? ItemFileProblem(ManifestItem item, ReadOnlySpan<byte> file)
    {
        if (ItemFiles.Sha256Mismatch(file, item.Sha256) is { } sha256)
        {
            return (ChecksumMismatch, $"The file's SHA-256 is {sha256}; the manifest says {item.Sha256}.");
        }

        return ItemFiles.JsonObjectProblem(file) is { } problem ? (InvalidItemFile, problem) : null;
    }

    /// <summary>The second pass, once every file passed: each file's bytes, to keep (expanded and checked against its header again).</summary>
    private static Dictionary<string, byte[]> ReadItemFiles(PackageManifest manifest, Dictionary<string, ZipArchiveEntry> entries, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, byte[]>(manifest.Items.Count, StringComparer.Ordinal);
        foreach (var item in manifest.Items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            files[item.Path] = ReadBytes(entries[item.Path]);
        }

        return files;
    }

    private static byte[] ReadBytes(ZipArchiveEntry entry)
    {
        var bytes = new byte[entry.Length];
        Expand(entry, bytes);
        return bytes;
    }

    /// <summary>
    /// Expands the entry into <paramref name="into"/>, which is as long as its header declares (and the limits
    /// allowed): the data must be exactly that long and have its CRC-32. The header is only a claim: one more
    /// byte is read to prove the data ends there, and since ZipArchive stops at the declared size by itself,
    /// the CRC is what catches an entry holding more.
    /// </summary>
    private static Span<byte> Expand(ZipArchiveEntry entry, Span<byte> into)
    {
        try
        {
            using var stream = entry.Open();
            stream.ReadExactly(into);
            if (stream.ReadByte() >= 0)
            {
                throw Corrupt(entry, $"it expands to more than the {entry.Length} bytes its header declares");
            }
        }
        catch (EndOfStreamException)
        {
            throw Corrupt(entry, $"it expands to fewer than the {entry.Length} bytes its header declares");
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(entry, e.Message.TrimEnd('.'));
        }

        return Crc32.Compute(into) == entry.Crc32
            ? into
            : throw Corrupt(entry, "its CRC-32 is not the one its header declares");
    }

    private static ArchiveRejectedException Corrupt(ZipArchiveEntry entry, string why) => new(CorruptEntry, entry.FullName, $"The entry is damaged: {why}.");
}
