namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// One reason a package file was refused: a code from <see cref="ArchiveProblemCodes"/>, the ZIP entry
/// concerned (null when the problem is the whole file) and a message for the person who uploaded it.
/// </summary>
public sealed record ArchiveProblem(string Code, string? Entry, string Message);

/// <summary>The codes of <see cref="ArchiveProblem"/>; clients may switch on them, so they never change meaning.</summary>
public static class ArchiveProblemCodes
{
    /// <summary>The upload is larger than <see cref="ArchiveLimits.MaxUploadBytes"/>.</summary>
    public const string UploadTooLarge = "upload_too_large";

    /// <summary>The file is not a ZIP, or its directory is damaged.</summary>
    public const string NotAZip = "not_a_zip";

    /// <summary>A ZIP feature a package file never needs: ZIP64, several disks.</summary>
    public const string UnsupportedZip = "unsupported_zip";

    /// <summary>An entry that is encrypted or compressed other than stored or deflated.</summary>
    public const string UnsupportedEntry = "unsupported_entry";

    /// <summary>More entries than <see cref="ArchiveLimits.MaxEntries"/>.</summary>
    public const string TooManyEntries = "too_many_entries";

    /// <summary>An entry name that starts at a root: <c>/</c>, <c>\</c> or a drive letter.</summary>
    public const string AbsolutePath = "absolute_path";

    /// <summary>An entry name with a <c>..</c> segment.</summary>
    public const string PathTraversal = "path_traversal";

    /// <summary>Any other name that is not a plain relative path: backslashes, empty or <c>.</c> segments, colons, non-printable or non-ASCII characters, too long.</summary>
    public const string UnsafePath = "unsafe_path";

    /// <summary>A symbolic link (unix mode S_IFLNK) or a Windows reparse point.</summary>
    public const string LinkEntry = "link_entry";

    /// <summary>A device, FIFO or socket (by its unix mode).</summary>
    public const string SpecialEntry = "special_entry";

    /// <summary>Two entries whose names differ at most in case.</summary>
    public const string DuplicateEntry = "duplicate_entry";

    /// <summary>An entry, or all of them, expand past <see cref="ArchiveLimits.MaxExpandedBytes"/>.</summary>
    public const string ExpandedTooLarge = "expanded_too_large";

    /// <summary>An entry, or the whole file, expands more than <see cref="ArchiveLimits.MaxCompressionRatio"/> times.</summary>
    public const string CompressionRatio = "compression_ratio";

    /// <summary>An entry whose data does not match its header (size, CRC, deflate stream).</summary>
    public const string CorruptEntry = "corrupt_entry";

    public const string ManifestMissing = "manifest_missing";

    /// <summary><c>manifest.json</c> is larger than <see cref="ArchiveLimits.MaxManifestBytes"/>.</summary>
    public const string ManifestTooLarge = "manifest_too_large";

    /// <summary><c>manifest.json</c> is not UTF-8 JSON, or a property appears twice in one object.</summary>
    public const string ManifestNotJson = "manifest_not_json";

    /// <summary><c>manifest.json</c> is JSON but breaks the manifest's schema; the message names the property.</summary>
    public const string ManifestInvalid = "manifest_invalid";

    public const string UnknownItemType = "unknown_item_type";

    /// <summary>Two items of one type whose names differ at most in case.</summary>
    public const string DuplicateItem = "duplicate_item";

    /// <summary>An item listed in the manifest whose file is not in the ZIP.</summary>
    public const string MissingFile = "missing_file";

    /// <summary>A file under <c>items/</c> that the manifest does not list.</summary>
    public const string UnlistedFile = "unlisted_file";

    /// <summary>An item file that expands past <see cref="ArchiveLimits.MaxItemFileBytes"/>.</summary>
    public const string ItemFileTooLarge = "item_file_too_large";

    /// <summary>An item file whose SHA-256 is not the manifest's.</summary>
    public const string ChecksumMismatch = "checksum_mismatch";

    /// <summary>An item file that is not a UTF-8 JSON object, or holds a string that is not text that can be stored (a lone surrogate, a NUL).</summary>
    public const string InvalidItemFile = "invalid_item_file";
}
