using System.Text;
using System.Text.Json;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Persistence;

namespace PushApi.Core.Packages.Publishing;

/// <summary>
/// Publishes a version (Beta or Released): the package's working set, with everything its items pull in,
/// becomes the version's immutable manifest, provided the package meets the package criteria. Every
/// problem is reported at once (422) and nothing is written.
/// </summary>
public sealed class PublishVersion(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>What a package ZIP may expand to, less room for its manifest: a version must be importable elsewhere.</summary>
    public const long MaxContentBytes = Distribution.ArchiveLimits.DefaultMaxExpandedBytes - (8L * 1024 * 1024);

    public async Task<long> RunAsync(string packageId, string name, VersionNumber number, string releaseState, CancellationToken cancellationToken)
    {
        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var locked = await LockAsync(connection, package, packageId, cancellationToken);
        var items = WorkingSetStore.Resolve(await WorkingSetStore.LoadAsync(connection, package, cancellationToken));
        var dependencies = await PackageDependencies.ReadAsync(connection, package, cancellationToken);
        var (available, dependencyProblems) = await NeededContents.ReadAsync(connection, dependencies, cancellationToken);
        var problems = dependencyProblems.Concat(PackageCriteria.Check(items, available)).ToList();
        var files = problems.Count == 0 ? items.Select(ToFile).ToList() : [];
        if (files.Sum(f => (long)f.Content.Length) > MaxContentBytes)
        {
            problems.Add(new RuleProblem("package-size", $"The items' definitions add up to more than {MaxContentBytes / (1024 * 1024)} MB, more than a package ZIP may expand to."));
        }

        if (problems.Count > 0)
        {
            throw new RuleViolationException(
                $"The package does not meet the package criteria ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}); nothing was published.", problems);
        }

        var version = new VersionRow(package, name, number, releaseState, locked, dependencies);
        var id = await VersionRows.InsertAsync(connection, version, null, clock.Now(), cancellationToken);
        await VersionRows.InsertItemsAsync(connection, id, files, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>An item as its file in the package ZIP: the definition exactly as given.</summary>
    public static VersionItem ToFile(IncludedItem item)
    {
        var content = Encoding.UTF8.GetBytes(item.Item.Definition!.Value.GetRawText());
        return new VersionItem(item.Ref.Type, item.Ref.Name, content, Distribution.ItemFiles.Sha256Hex(content), item.IncludedBy, item.Selected);
    }

    private static async Task<bool> LockAsync(NpgsqlConnection connection, long package, string packageId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT locked FROM packages WHERE id = $1 FOR UPDATE", connection);
        command.Parameters.Add(new() { Value = package });
        return await command.ExecuteScalarAsync(cancellationToken) as bool?
            ?? throw new NotFoundException($"No package has the id {packageId}.");
    }
}

/// <summary>A version as stored: its package, name, number, state, locked flag and the packages it needs.</summary>
public sealed record VersionRow(long Package, string Name, VersionNumber Number, string ReleaseState, bool Locked, IReadOnlyList<DependencyView> Dependencies);

/// <summary>One item of a version: the bytes of its file and their SHA-256 (lower-case hex).</summary>
public sealed record VersionItem(string Type, string Name, byte[] Content, string Sha256, IReadOnlyList<ItemRef> IncludedBy, bool Selected);

/// <summary>The writes of a version and its items, shared by publishing and import.</summary>
public static class VersionRows
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Inserts the version (with <paramref name="id"/> when an import keeps one); a number in use is a 409.</summary>
    public static async Task<long> InsertAsync(NpgsqlConnection connection, VersionRow version, long? id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO package_versions (id, package_id, name, major_version, minor_version, patch_version, build_number,
                                          release_state, locked, dependencies, created_at, system_modstamp)
            VALUES (coalesce($1, nextval(pg_get_serial_sequence('package_versions', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $11)
            RETURNING id
            """, connection);
        command.Parameters.Add(new() { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = version.Package });
        command.Parameters.Add(new() { Value = version.Name });
        command.Parameters.Add(new() { Value = version.Number.Major });
        command.Parameters.Add(new() { Value = version.Number.Minor });
        command.Parameters.Add(new() { Value = version.Number.Patch });
        command.Parameters.Add(new() { Value = version.Number.Build });
        command.Parameters.Add(new() { Value = version.ReleaseState });
        command.Parameters.Add(new() { Value = version.Locked });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(version.Dependencies, Json) });
        command.Parameters.Add(new() { Value = now });
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
        {
            throw new ConflictException(e.ConstraintName == "package_versions_released_key"
                ? $"Version {version.Number} of this package is already released."
                : $"Version {version.Number} build {version.Number.Build} of this package already exists.", e);
        }
    }

    public static async Task InsertItemsAsync(NpgsqlConnection connection, long version, IReadOnlyList<VersionItem> items, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO package_version_items (version_id, position, type, name, content, sha256, included_by, selected)
            SELECT $1, t.position, t.type, t.name, t.content, t.sha256, t.included_by::jsonb, t.selected
            FROM unnest($2::int[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::text[], $8::boolean[])
                 AS t (position, type, name, content, sha256, included_by, selected)
            """, connection);
        command.Parameters.Add(new() { Value = version });
        command.Parameters.Add(new() { Value = Enumerable.Range(0, items.Count).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Type).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Name).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Content).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Sha256).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => JsonSerializer.Serialize(i.IncludedBy, Json)).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Selected).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
