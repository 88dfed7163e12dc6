using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Persistence;

namespace PushApi.Core.Push;

/// <summary>
/// Reads what <see cref="Eligibility"/> decides on, set-based: each org's tenant and its install of a
/// package, and target versions. One reader for adding jobs (DML) and for running them (the engine).
/// </summary>
public static class EligibilityFacts
{
    /// <summary>
    /// The facts of each (org, package) pair, by pair; an org no tenant has is missing. With
    /// <paramref name="lockInstallations"/> the install rows are locked (FOR UPDATE) in the order of
    /// <paramref name="pairs"/>, so give them sorted by org key.
    /// </summary>
    public static async Task<Dictionary<(string, long), OrgFacts>> LoadOrgsAsync(NpgsqlConnection connection, IReadOnlyList<(string OrgKey, long PackageId)> pairs, bool lockInstallations, CancellationToken cancellationToken)
    {
        var facts = new Dictionary<(string, long), OrgFacts>(pairs.Count);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT k.org_key, k.package_id, t.org_status,
                   i.package_id, v.major_version, v.minor_version, v.patch_version, v.build_number, i.installed_status, i.has_restriction_enabled,
                   t.agent_url IS NOT NULL
            FROM unnest($1::text[], $2::bigint[]) AS k(org_key, package_id)
            JOIN tenants t ON t.org_key = k.org_key
            LEFT JOIN LATERAL (
                SELECT * FROM installations i WHERE i.org_key = k.org_key AND i.package_id = k.package_id
                {(lockInstallations ? "FOR UPDATE" : "")}
            ) i ON true
            LEFT JOIN package_versions v ON v.id = i.package_version_id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => p.OrgKey).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => p.PackageId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var installation = reader.IsDBNull(3)
                ? null
                : new InstallationFacts(
                    reader.GetInt64(3),
                    new VersionNumber(reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7)),
                    reader.GetString(8),
                    reader.GetBoolean(9));
            facts[(reader.GetString(0), reader.GetInt64(1))] = new OrgFacts(reader.GetString(0), reader.GetString(2), installation, reader.GetBoolean(10));
        }

        return facts;
    }

    /// <summary>The versions with these ids as push targets, by id; an id no version has is missing.</summary>
    public static async Task<Dictionary<long, TargetVersion>> LoadTargetsAsync(NpgsqlConnection connection, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<long, TargetVersion>();
        await using var command = new NpgsqlCommand(
            $"SELECT {TargetColumns("v")} FROM package_versions v WHERE v.id = ANY($1)",
            connection);
        command.Parameters.Add(SqlParameters.Array(ids.Distinct(), NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetInt64(0)] = ReadTarget(reader, 0);
        }

        return versions;
    }

    /// <summary>The version a push would target, or null when no version has the id.</summary>
    public static async Task<TargetVersion?> LoadTargetAsync(NpgsqlConnection connection, long versionId, CancellationToken cancellationToken = default) =>
        (await LoadTargetsAsync(connection, [versionId], cancellationToken)).GetValueOrDefault(versionId);

    /// <summary>The eight columns of a target version of <c>package_versions</c> aliased <paramref name="alias"/>, as <see cref="ReadTarget"/> reads them.</summary>
    public static string TargetColumns(string alias) =>
        $"{alias}.id, {alias}.package_id, {alias}.major_version, {alias}.minor_version, {alias}.patch_version, {alias}.build_number, {alias}.release_state, {alias}.is_deprecated";

    /// <summary>A target version from eight columns starting at <paramref name="first"/>: id, package id, major, minor, patch, build, release state, deprecated.</summary>
    public static TargetVersion ReadTarget(DbDataReader reader, int first) => new(
        SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, reader.GetInt64(first)),
        reader.GetInt64(first + 1),
        new VersionNumber(reader.GetInt32(first + 2), reader.GetInt32(first + 3), reader.GetInt32(first + 4), reader.GetInt32(first + 5)),
        reader.GetString(first + 6),
        reader.GetBoolean(first + 7));
}
