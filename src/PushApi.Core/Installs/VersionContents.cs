using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Installs.Roles;
using PushApi.Core.Packages;
using PushApi.Core.Packages.Contents;

namespace PushApi.Core.Installs;

/// <summary>A package another one needs, at <see cref="Minimum"/> or later.</summary>
public sealed record PackageNeed(long PackageId, VersionNumber Minimum);

/// <summary>
/// What installing a version means: its package, its items (the manifest's files, each with the definition an install
/// writes: a role keeps only the permissions an install carries over) and the packages it needs. A version published
/// before contents existed has no manifest (<see cref="HasManifest"/> false): installing it records the version and
/// touches no component.
/// </summary>
public sealed record VersionContents(long VersionId, long PackageId, bool HasManifest, IReadOnlyList<VersionFile> Items, IReadOnlyList<PackageNeed> Needs)
{
    public IReadOnlyList<VersionContent> Plannable { get; } = [.. Items.Select(i => new VersionContent(i.Type, i.Name, i.Sha256))];

    /// <summary>The names of the version's objects (the objects whose permissions an install carries over).</summary>
    public IReadOnlySet<string> Objects { get; } = ObjectNames(Items);

    /// <summary>The version's roles as an install applies them, by name (without case).</summary>
    public IReadOnlyDictionary<string, JsonObject> Roles { get; } = Items
        .Where(i => i.Type == ItemTypes.Role)
        .ToDictionary(i => i.Name, i => RolePermissions.CarriedOver(JsonNode.Parse(i.Definition) as JsonObject ?? [], ObjectNames(Items)), StringComparer.OrdinalIgnoreCase);

    private static HashSet<string> ObjectNames(IReadOnlyList<VersionFile> items) =>
        items.Where(i => i.Type == ItemTypes.Object).Select(i => i.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Published versions' contents, read once: a version's items never change after publishing (a trigger forbids it),
/// so a push reads them once, not once per batch of tenants. Holds a few versions; the oldest read is dropped first.
/// </summary>
public sealed class VersionContentsCache(NpgsqlDataSource dataSource)
{
    private const int Capacity = 16;
    private readonly ConcurrentDictionary<long, Lazy<Task<VersionContents>>> _versions = new();
    private readonly ConcurrentQueue<long> _order = new();

    public Task<VersionContents> GetAsync(long versionId, CancellationToken cancellationToken)
    {
        var entry = _versions.GetOrAdd(versionId, id => new Lazy<Task<VersionContents>>(() => LoadAsync(id, CancellationToken.None)));
        if (entry.IsValueCreated && entry.Value.IsFaulted)
        {
            _versions.TryRemove(new KeyValuePair<long, Lazy<Task<VersionContents>>>(versionId, entry));
            entry = _versions.GetOrAdd(versionId, id => new Lazy<Task<VersionContents>>(() => LoadAsync(id, CancellationToken.None)));
        }

        return entry.Value.WaitAsync(cancellationToken);
    }

    private async Task<VersionContents> LoadAsync(long versionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var contents = await ReadAsync(connection, versionId, cancellationToken);
        _order.Enqueue(versionId);
        while (_order.Count > Capacity && _order.TryDequeue(out var oldest))
        {
            _versions.TryRemove(oldest, out _);
        }

        return contents;
    }

    /// <summary>Reads a version's contents (not found: 404).</summary>
    public static async Task<VersionContents> ReadAsync(NpgsqlConnection connection, long versionId, CancellationToken cancellationToken)
    {
        long package;
        bool hasManifest;
        var needs = new List<PackageNeed>();
        await using (var head = new NpgsqlCommand(
            """
            SELECT v.package_id, v.locked IS NOT NULL, d ->> 'packageId', d ->> 'minimumVersion'
            FROM package_versions v LEFT JOIN LATERAL jsonb_array_elements(v.dependencies) AS d ON true
            WHERE v.id = $1
            """, connection))
        {
            head.Parameters.Add(new() { Value = versionId });
            await using var reader = await head.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new NotFoundException($"No package version has the id {SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId)}.");
            }

            (package, hasManifest) = (reader.GetInt64(0), reader.GetBoolean(1));
            do
            {
                if (!reader.IsDBNull(2) && SalesforceId.TryParseNumber(reader.GetString(2), KeyPrefixes.MetadataPackage, out var needed)
                    && VersionNumber.TryParseMinimum(reader.IsDBNull(3) ? null : reader.GetString(3), out var minimum))
                {
                    needs.Add(new PackageNeed(needed, minimum));
                }
            }
            while (await reader.ReadAsync(cancellationToken));
        }

        var items = new List<VersionFile>();
        await using var command = new NpgsqlCommand("SELECT type, name, content, sha256 FROM package_version_items WHERE version_id = $1 ORDER BY position", connection);
        command.Parameters.Add(new() { Value = versionId });
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new VersionFile(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetString(3)));
            }
        }

        return new VersionContents(versionId, package, hasManifest, items, needs);
    }
}
