namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// What <see cref="PackageArchiveReader"/> accepts from an untrusted upload. The defaults are the service's;
/// tests pass smaller ones to reach each limit cheaply.
/// </summary>
public sealed record ArchiveLimits
{
    public const long DefaultMaxUploadBytes = 100L * 1024 * 1024;

    /// <summary>Entries of every kind, <c>manifest.json</c> and directories included.</summary>
    public const int DefaultMaxEntries = 10_000;

    public const long DefaultMaxExpandedBytes = 100L * 1024 * 1024;

    /// <summary>
    /// JSON rarely deflates past 20 to 1; a ratio above 100 is a bomb, not a package. Checked per entry
    /// (expanded over compressed size) and for the whole file (all entries expanded over the upload).
    /// </summary>
    public const int DefaultMaxCompressionRatio = 100;

    /// <summary>About 800 bytes per item at 10,000 items; the manifest is parsed whole, so it is held to less than the rest.</summary>
    public const int DefaultMaxManifestBytes = 8 * 1024 * 1024;

    /// <summary>
    /// One item's file, expanded. A local item definition is at most 256 KB, so 1 MiB is generous; it also
    /// bounds what checking one file costs, since a file is expanded whole to be checked.
    /// </summary>
    public const int DefaultMaxItemFileBytes = 1024 * 1024;

    /// <summary>An item's path is at most 110 characters; anything longer is not a package entry.</summary>
    public const int MaxEntryNameLength = 256;

    public static ArchiveLimits Default { get; } = new();

    /// <summary>Compressed size: the bytes read from the request before anything else is looked at.</summary>
    public long MaxUploadBytes { get; init; } = DefaultMaxUploadBytes;

    public int MaxEntries { get; init; } = DefaultMaxEntries;

    /// <summary>All entries together, expanded (and so any one of them).</summary>
    public long MaxExpandedBytes { get; init; } = DefaultMaxExpandedBytes;

    public int MaxCompressionRatio { get; init; } = DefaultMaxCompressionRatio;

    public int MaxManifestBytes { get; init; } = DefaultMaxManifestBytes;

    /// <summary>Each item's file, expanded (declared and read).</summary>
    public int MaxItemFileBytes { get; init; } = DefaultMaxItemFileBytes;
}
