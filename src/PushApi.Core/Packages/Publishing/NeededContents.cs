using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;

namespace PushApi.Core.Packages.Publishing;

/// <summary>
/// What the packages a package needs bring with them: the items of each needed package's newest released
/// version at or above the minimum. A needed package with no such version is itself a problem.
/// </summary>
public static class NeededContents
{
    public static async Task<(IReadOnlyList<ItemRef> Items, IReadOnlyList<RuleProblem> Problems)> ReadAsync(
        NpgsqlConnection connection, IReadOnlyList<DependencyView> dependencies, CancellationToken cancellationToken)
    {
        var items = new List<ItemRef>();
        var problems = new List<RuleProblem>();
        foreach (var dependency in dependencies)
        {
            if (!SalesforceId.TryParseNumber(dependency.PackageId, KeyPrefixes.MetadataPackage, out var package)
                || !VersionNumber.TryParseMinimum(dependency.MinimumVersion, out var minimum))
            {
                continue;
            }

            await using var command = new NpgsqlCommand(
                """
                SELECT i.type, i.name FROM package_version_items i
                WHERE i.version_id = (
                    SELECT v.id FROM package_versions v
                    WHERE v.package_id = $1 AND v.release_state = 'Released'
                      AND (v.major_version, v.minor_version, v.patch_version) >= ($2, $3, $4)
                    ORDER BY v.major_version DESC, v.minor_version DESC, v.patch_version DESC, v.build_number DESC
                    LIMIT 1)
                """, connection);
            command.Parameters.Add(new() { Value = package });
            command.Parameters.Add(new() { Value = minimum.Major });
            command.Parameters.Add(new() { Value = minimum.Minor });
            command.Parameters.Add(new() { Value = minimum.Patch });
            var found = 0;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    items.Add(new ItemRef(reader.GetString(0), reader.GetString(1)));
                    found++;
                }
            }

            if (found == 0 && !await HasReleasedAsync(connection, package, minimum, cancellationToken))
            {
                problems.Add(new RuleProblem(
                    "dependency-released",
                    $"The package needs package {dependency.PackageId} at version {dependency.MinimumVersion} or later, and no such version is released."));
            }
        }

        return (items, problems);
    }

    private static async Task<bool> HasReleasedAsync(NpgsqlConnection connection, long package, VersionNumber minimum, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT 1 FROM package_versions WHERE package_id = $1 AND release_state = 'Released'
                           AND (major_version, minor_version, patch_version) >= ($2, $3, $4))
            """, connection);
        command.Parameters.Add(new() { Value = package });
        command.Parameters.Add(new() { Value = minimum.Major });
        command.Parameters.Add(new() { Value = minimum.Minor });
        command.Parameters.Add(new() { Value = minimum.Patch });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
