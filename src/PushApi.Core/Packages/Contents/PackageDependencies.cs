using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;

namespace PushApi.Core.Packages.Contents;

/// <summary>
/// The packages a package needs, each at a minimum version (<c>PUT /api/v1/packages/{id}/dependencies</c>).
/// The whole list is replaced at once; a list that would make packages need each other in a circle is refused.
/// </summary>
public sealed class PackageDependencies(NpgsqlDataSource dataSource)
{
    /// <summary>Serialises dependency changes, so two concurrent changes cannot close a circle between them.</summary>
    private const long GraphLock = 0x5055_5348_4445_5053;

    public async Task<IReadOnlyList<DependencyView>> ReplaceAsync(string packageId, IReadOnlyList<DependencyInput> input, CancellationToken cancellationToken)
    {
        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        var needed = Check(package, input);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockGraph = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({GraphLock})", connection))
        {
            await lockGraph.ExecuteNonQueryAsync(cancellationToken);
        }

        await PackageRows.LockAsync(connection, package, packageId, cancellationToken);
        await EnsureExistAsync(connection, needed, input, cancellationToken);
        var edges = await ReadEdgesAsync(connection, cancellationToken);
        edges.RemoveAll(e => e.From == package);
        edges.AddRange(needed.Select(n => (package, n.Package)));
        if (FindCycle(edges, package) is { } cycle)
        {
            var names = string.Join(" → ", cycle.Select(id => SalesforceId.Format(KeyPrefixes.MetadataPackage, id)));
            throw new RuleViolationException(
                "The packages would need each other in a circle.",
                [new RuleProblem("dependency-cycle", $"A circular dependency between packages is not allowed: {names}.")]);
        }

        await using (var delete = new NpgsqlCommand("DELETE FROM package_dependencies WHERE package_id = $1", connection))
        {
            delete.Parameters.Add(new() { Value = package });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var replace = new NpgsqlCommand(
            """
            INSERT INTO package_dependencies (package_id, needs_package_id, minimum_major, minimum_minor, minimum_patch)
            SELECT $1, t.needs, t.major, t.minor, t.patch FROM unnest($2::bigint[], $3::int[], $4::int[], $5::int[]) AS t (needs, major, minor, patch)
            """, connection))
        {
            replace.Parameters.Add(new() { Value = package });
            replace.Parameters.Add(new() { Value = needed.Select(n => n.Package).ToArray() });
            replace.Parameters.Add(new() { Value = needed.Select(n => n.Minimum.Major).ToArray() });
            replace.Parameters.Add(new() { Value = needed.Select(n => n.Minimum.Minor).ToArray() });
            replace.Parameters.Add(new() { Value = needed.Select(n => n.Minimum.Patch).ToArray() });
            await replace.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return await ReadAsync(connection, package, cancellationToken);
    }

    public async Task<IReadOnlyList<DependencyView>> ListAsync(string packageId, CancellationToken cancellationToken)
    {
        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await PackageRows.EnsureExistsAsync(connection, package, packageId, cancellationToken);
        return await ReadAsync(connection, package, cancellationToken);
    }

    /// <summary>The dependencies as a version records them: needed package and minimum version.</summary>
    public static async Task<IReadOnlyList<DependencyView>> ReadAsync(NpgsqlConnection connection, long package, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT needs_package_id, minimum_major, minimum_minor, minimum_patch FROM package_dependencies
            WHERE package_id = $1 ORDER BY needs_package_id
            """, connection);
        command.Parameters.Add(new() { Value = package });
        var list = new List<DependencyView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var minimum = new VersionNumber(reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), 0);
            list.Add(new DependencyView(SalesforceId.Format(KeyPrefixes.MetadataPackage, reader.GetInt64(0)), minimum.ToString()));
        }

        return list;
    }

    /// <summary>A path that leaves <paramref name="start"/> and comes back to it, or null.</summary>
    public static IReadOnlyList<long>? FindCycle(IReadOnlyCollection<(long From, long To)> edges, long start)
    {
        var next = edges.ToLookup(e => e.From, e => e.To);
        var path = new List<long> { start };
        var visited = new HashSet<long>();
        return Walk(start) ? path : null;

        bool Walk(long node)
        {
            foreach (var to in next[node])
            {
                path.Add(to);
                if (to == start || (visited.Add(to) && Walk(to)))
                {
                    return true;
                }

                path.RemoveAt(path.Count - 1);
            }

            return false;
        }
    }

    private static List<(long Package, VersionNumber Minimum)> Check(long package, IReadOnlyList<DependencyInput> input)
    {
        var errors = new Dictionary<string, string[]>();
        var needed = new List<(long, VersionNumber)>();
        for (var i = 0; i < input.Count; i++)
        {
            if (input[i] is null)
            {
                errors[$"[{i}]"] = ["A dependency is an object {packageId, minimumVersion}, not null."];
                continue;
            }

            var okId = SalesforceId.TryParseNumber(input[i].PackageId, KeyPrefixes.MetadataPackage, out var id);
            if (!okId)
            {
                errors[$"[{i}].packageId"] = ["packageId must be a package id (033…)."];
            }
            else if (id == package)
            {
                errors[$"[{i}].packageId"] = ["A package cannot need itself."];
            }
            else if (needed.Any(n => n.Item1 == id))
            {
                errors[$"[{i}].packageId"] = ["The package is listed twice."];
            }

            if (!VersionNumber.TryParseMinimum(input[i].MinimumVersion, out var minimum))
            {
                errors[$"[{i}].minimumVersion"] = ["minimumVersion must be a version number such as 1.2 or 1.2.3."];
            }

            needed.Add((id, minimum));
        }

        return errors.Count > 0 ? throw new InputException(errors) : needed;
    }

    private static async Task EnsureExistAsync(NpgsqlConnection connection, List<(long Package, VersionNumber Minimum)> needed, IReadOnlyList<DependencyInput> input, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT array_agg(id) FROM packages WHERE id = ANY($1)", connection);
        command.Parameters.Add(new() { Value = needed.Select(n => n.Package).ToArray() });
        var found = await command.ExecuteScalarAsync(cancellationToken) as long[] ?? [];
        var missing = needed.Select((n, i) => (n, i)).Where(x => !found.Contains(x.n.Package)).ToList();
        if (missing.Count > 0)
        {
            throw new InputException(missing.ToDictionary(m => $"[{m.i}].packageId", m => new[] { $"No package has the id {input[m.i].PackageId}." }));
        }
    }

    private static async Task<List<(long From, long To)>> ReadEdgesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT package_id, needs_package_id FROM package_dependencies", connection);
        var edges = new List<(long, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            edges.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return edges;
    }
}

/// <summary>A needed package as a client sends it.</summary>
public sealed record DependencyInput(string? PackageId, string? MinimumVersion);

/// <summary>A needed package and the lowest version of it that will do.</summary>
public sealed record DependencyView(string PackageId, string MinimumVersion);
