using System.Text;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// What every entry of an uploaded package file must be, checked on the declared directory before anything
/// is expanded: a plain relative ASCII path, a file or a directory (never a link), stored or deflated, not
/// encrypted, within the size and ratio limits. Entries the reader will not open are held to the same rules,
/// since a later tool might.
/// </summary>
internal static class ZipEntryRules
{
    private const uint UnixTypeMask = 0xF000;
    private const uint UnixRegularFile = 0x8000;
    private const uint UnixDirectory = 0x4000;
    private const uint UnixSymbolicLink = 0xA000;
    private const uint WindowsReparsePoint = 0x400;
    private const int Stored = 0;
    private const int Deflated = 8;

    /// <summary>Bit 0: encrypted; bit 6: strong encryption.</summary>
    private const int EncryptionFlags = 0x41;

    public static void Check(IReadOnlyList<ZipDirectoryEntry> entries, long uploadBytes, ArchiveLimits limits)
    {
        var problems = new ProblemList();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long expanded = 0;
        foreach (var entry in entries)
        {
            var shown = Shown(entry.Name);
            if (PathProblem(entry.Name) is { } path)
            {
                problems.Add(path.Code, shown, path.Message);
            }

            if (KindProblem(entry) is { } kind)
            {
                problems.Add(kind.Code, shown, kind.Message);
            }

            if (!names.Add(entry.Name))
            {
                problems.Add(DuplicateEntry, shown, "Another entry has this name (names are compared without case).");
            }

            CheckSize(entry, shown, limits, problems);
            expanded += entry.Size;
        }

        if (expanded > limits.MaxExpandedBytes)
        {
            problems.Add(ExpandedTooLarge, null, $"The entries expand to {expanded} bytes; a package file expands to at most {limits.MaxExpandedBytes}.");
        }

        if (expanded > limits.MaxCompressionRatio * Math.Max(uploadBytes, 1))
        {
            problems.Add(CompressionRatio, null, $"The file expands {expanded / Math.Max(uploadBytes, 1)} times ({uploadBytes} bytes to {expanded}); at most {limits.MaxCompressionRatio} times is accepted.");
        }

        problems.ThrowIfAny();
    }

    /// <summary>The name as it can be shown back: characters other than printable ASCII as \xNN.</summary>
    public static string Shown(string name)
    {
        if (IsPrintableAscii(name))
        {
            return name;
        }

        var shown = new StringBuilder(name.Length * 2);
        foreach (var c in name)
        {
            shown.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c:X2}");
        }

        return shown.ToString();
    }

    private static (string Code, string Message)? PathProblem(string name)
    {
        if (name.Length == 0 || !IsPrintableAscii(name))
        {
            return (UnsafePath, "Entry names are non-empty and hold printable ASCII only.");
        }

        if (name[0] is '/' or '\\' || (name.Length > 1 && char.IsAsciiLetter(name[0]) && name[1] == ':'))
        {
            return (AbsolutePath, "The name is an absolute path; entries are relative to the root of the archive.");
        }

        // Backslashes are folders to some tools, so "..\" climbs as well as "../".
        var segments = name.Split('/', '\\');
        if (segments.Contains(".."))
        {
            return (PathTraversal, "The name climbs out of the archive with a '..' segment.");
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return (UnsafePath, "The name holds a backslash; ZIP entry names separate folders with '/'.");
        }

        // A directory's name ends with '/', which leaves one empty segment at the end.
        if (segments.Take(segments.Length - 1).Any(s => s is "" or ".") || segments[^1] == ".")
        {
            return (UnsafePath, "The name has an empty or '.' segment.");
        }

        return name.Contains(':', StringComparison.Ordinal)
            ? (UnsafePath, "The name holds a colon (a drive or an alternate data stream on Windows).")
            : null;
    }

    private static (string Code, string Message)? KindProblem(ZipDirectoryEntry entry)
    {
        var unixType = (entry.ExternalAttributes >> 16) & UnixTypeMask;
        if (unixType == UnixSymbolicLink || (entry.ExternalAttributes & WindowsReparsePoint) != 0)
        {
            return (LinkEntry, "The entry is a link; a package file holds only files and folders.");
        }

        if (unixType is not (0 or UnixRegularFile or UnixDirectory))
        {
            return (SpecialEntry, "The entry is a device, FIFO or socket; a package file holds only files and folders.");
        }

        if ((entry.Flags & EncryptionFlags) != 0)
        {
            return (UnsupportedEntry, "The entry is encrypted.");
        }

        if (entry.Method is not (Stored or Deflated))
        {
            return (UnsupportedEntry, $"The entry is compressed with method {entry.Method}; only stored (0) and deflated (8) entries are read.");
        }

        return entry.IsDirectory && entry.Size > 0 ? (CorruptEntry, "The entry is a folder but holds data.") : null;
    }

    private static void CheckSize(ZipDirectoryEntry entry, string shown, ArchiveLimits limits, ProblemList problems)
    {
        if (entry.Size > limits.MaxExpandedBytes)
        {
            problems.Add(ExpandedTooLarge, shown, $"The entry expands to {entry.Size} bytes; a package file expands to at most {limits.MaxExpandedBytes}.");
        }

        var compressed = Math.Max(entry.CompressedSize, 1);
        if (entry.Size > limits.MaxCompressionRatio * compressed)
        {
            problems.Add(CompressionRatio, shown, $"The entry expands {entry.Size / compressed} times ({entry.CompressedSize} bytes to {entry.Size}); at most {limits.MaxCompressionRatio} times is accepted.");
        }
    }

    private static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
