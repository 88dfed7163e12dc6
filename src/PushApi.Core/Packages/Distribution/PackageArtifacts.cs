using System.Collections.Concurrent;
using System.Security.Cryptography;
using PushApi.Core.Ids;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// A version's package ZIP as one file: exactly the bytes <c>GET /api/v1/versions/{id}/package.zip</c>
/// serves (the same writer, the same fixed entry time), with their SHA-256 (lower-case hex) and size.
/// </summary>
public sealed record PackageArtifact(long VersionId, string FileName, byte[] Bytes, string Sha256)
{
    public long Size => Bytes.LongLength;
}

/// <summary>
/// Makes package ZIPs for remote agents and keeps those of released versions: a released version's
/// contents, manifest and package head never change (its items are immutable by a trigger, and its release
/// state, lock flag and dependencies are fixed at release), so its ZIP is made once and every agent of a
/// mass push downloads the same bytes the upgrader announced. A Beta's manifest changes when it is promoted,
/// so it is made afresh each time. Concurrent requests for one version share one making.
/// </summary>
public sealed class PackageArtifacts(VersionManifests manifests)
{
    private readonly PackageArtifactCache _cache = new(PackageArtifactCache.DefaultBudgetBytes);
    private readonly ConcurrentDictionary<long, Lazy<Task<PackageArtifact>>> _making = new();

    /// <summary>The version's ZIP; <see cref="Errors.NotFoundException"/> when no version has the id.</summary>
    public async Task<PackageArtifact> GetAsync(long versionId, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(versionId, out var cached))
        {
            return cached;
        }

        var making = _making.GetOrAdd(versionId, id => new Lazy<Task<PackageArtifact>>(() => MakeAsync(id)));
        try
        {
            // The making is shared, so one caller giving up does not cancel it for the others.
            return await making.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (making.Value.IsCompleted)
            {
                _making.TryRemove(KeyValuePair.Create(versionId, making));
            }
        }
    }

    private async Task<PackageArtifact> MakeAsync(long versionId)
    {
        await Task.Yield();
        var archive = await manifests.LoadAsync(SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId), CancellationToken.None);
        using var buffer = new MemoryStream();
        await PackageArchiveWriter.WriteAsync(archive, buffer, PackageArchiveWriter.DefaultTimestamp, CancellationToken.None);
        var bytes = buffer.ToArray();
        var artifact = new PackageArtifact(versionId, FileName(archive.Manifest), bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        if (archive.Manifest.Version.ReleaseState == ReleaseStates.Released)
        {
            _cache.Add(artifact);
        }

        return artifact;
    }

    /// <summary><c>demo-1.2.0-1.zip</c>: the namespace (or the package's name, made file-safe) and the full version number.</summary>
    public static string FileName(PackageManifest manifest)
    {
        var stem = manifest.Package.NamespacePrefix ?? manifest.Package.Name;
        var safe = string.Concat(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_'));
        var v = manifest.Version;
        return $"{safe}-{v.MajorVersion}.{v.MinorVersion}.{v.PatchVersion}-{v.BuildNumber}.zip";
    }
}

/// <summary>
/// Artifacts kept in memory up to a budget of bytes, the least recently used dropped first. An artifact
/// larger than the whole budget is not kept (it is made again when asked for).
/// </summary>
public sealed class PackageArtifactCache(long budgetBytes)
{
    /// <summary>A mass push downloads one version many times; a few versions of typical packages (about 1 MB each) fit.</summary>
    public const long DefaultBudgetBytes = 64L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, LinkedListNode<PackageArtifact>> _entries = [];

    /// <summary>Most recently used first.</summary>
    private readonly LinkedList<PackageArtifact> _order = new();

    public long CachedBytes { get; private set; }

    public bool TryGet(long versionId, out PackageArtifact artifact)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(versionId, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                artifact = node.Value;
                return true;
            }
        }

        artifact = null!;
        return false;
    }

    public void Add(PackageArtifact artifact)
    {
        if (artifact.Size > budgetBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.ContainsKey(artifact.VersionId))
            {
                return;
            }

            _entries[artifact.VersionId] = _order.AddFirst(artifact);
            CachedBytes += artifact.Size;
            while (CachedBytes > budgetBytes)
            {
                var oldest = _order.Last!;
                _order.RemoveLast();
                _entries.Remove(oldest.Value.VersionId);
                CachedBytes -= oldest.Value.Size;
            }
        }
    }
}
