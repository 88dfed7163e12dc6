using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

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
    /// <paramref name="pairs"/>, so give them sorted by org key. With <paramref name="busy"/> the other Pending or In
    /// Progress request each org is in is looked up (when adding jobs; not when running them).
    /// </summary>
    public static async Task<Dictionary<(string, long), OrgFacts>> LoadOrgsAsync(
        NpgsqlConnection connection, IReadOnlyList<(string OrgKey, long PackageId)> pairs, bool lockInstallations, CancellationToken cancellationToken, bool busy = false)
    {
        var facts = new Dictionary<(string, long), OrgFacts>(pairs.Count);
        var busyIn = busy ? await BusyAsync(connection, pairs, cancellationToken) : [];
        // The install of each pair is one probe of its (org, package) key: OFFSET 0 (or FOR UPDATE) keeps the lateral
        // subquery from being flattened into a hash join that reads every install of the table, for each 10,000-row batch.
        // The exclusions of the batch's orgs are read once and hashed, not probed for each pair.
        await using var command = new NpgsqlCommand(
            $"""
            SELECT k.ord, t.org_status,
                   i.package_id, v.major_version, v.minor_version, v.patch_version, v.build_number, i.installed_status, i.has_restriction_enabled,
                   t.agent_url IS NOT NULL, t.has_restriction_enabled,
                   (k.org_key, k.package_id) IN (
                       SELECT e.org_key, p.package_id FROM exclusions e CROSS JOIN unnest($3::bigint[]) AS p(package_id)
                       WHERE e.org_key = ANY($1) AND {ExclusionApplies("e", "p.package_id")})
            FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS k(org_key, package_id, ord)
            JOIN tenants t ON t.org_key = k.org_key
            LEFT JOIN LATERAL (
                SELECT * FROM installations i WHERE i.org_key = k.org_key AND i.package_id = k.package_id
                {(lockInstallations ? "FOR UPDATE" : "OFFSET 0")}
            ) i ON true
            LEFT JOIN package_versions v ON v.id = i.package_version_id
            """, connection);
        command.Parameters.Add(SqlParameters.Array(pairs.Select(p => p.OrgKey), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(pairs.Select(p => p.PackageId), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(pairs.Select(p => p.PackageId).Distinct(), NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        // The statuses are a few values: each kept once, so the facts read ahead of a bulk chunk hold no copies of them.
        var statuses = new Dictionary<string, string>();
        string Status(int ordinal)
        {
            var text = reader.GetString(ordinal);
            return statuses.TryAdd(text, text) ? text : statuses[text];
        }

        while (await reader.ReadAsync(cancellationToken))
        {
            // Each row names its pair by its place in the input, so the org's key is not read back (100,000 strings a Bulk add).
            var pair = pairs[(int)reader.GetInt64(0) - 1];
            var installation = reader.IsDBNull(2)
                ? null
                : new InstallationFacts(
                    reader.GetInt64(2),
                    new VersionNumber(reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6)),
                    Status(7),
                    reader.GetBoolean(8));
            facts[pair] = new OrgFacts(pair.OrgKey, Status(1), installation, reader.GetBoolean(9))
            {
                OptedOut = reader.GetBoolean(10),
                Excluded = reader.GetBoolean(11),
                BusyIn = busyIn.GetValueOrDefault(pair),
            };
        }

        return facts;
    }

    /// <summary>SQL: the exclusion row <paramref name="alias"/> applies to the package <paramref name="packageId"/> (an SQL expression): it names that package or all, and has not expired.</summary>
    public static string ExclusionApplies(string alias, string packageId) =>
        $"({alias}.package_id IS NULL OR {alias}.package_id = {packageId}) AND ({alias}.expires_at IS NULL OR {alias}.expires_at > now())";

    /// <summary>
    /// Takes, until the transaction ends, the lock of each package whose jobs are being added: the check that an org is not
    /// already in a live push of the package and the insert of its job are then one step for every writer (SF API, deployments).
    /// </summary>
    public static async Task LockPackagesAsync(NpgsqlConnection connection, IEnumerable<long> packages, CancellationToken cancellationToken)
    {
        foreach (var package in packages.Distinct().Order())
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('push-package', $1))", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = package });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The Pending or In Progress request of the same package each org already has a (not canceled) job in, by pair; a
    /// later wave of a running or held rollout (Created until its turn) counts as live too, and so does a Created request
    /// awaiting approval, since it is meant to run (a leftover Created request does not).
    /// Set-based: the live requests of the packages (few), then their jobs for these orgs through the (request, org) key.
    /// </summary>
    /// <summary>
    /// SQL: the request <paramref name="alias"/> holds its orgs — Pending or In Progress, or Created but meant to run: awaiting
    /// approval, or a later wave of a running or held rollout. A leftover Created request holds nothing.
    /// </summary>
    public static string LiveRequest(string alias) =>
        $"""
        ({PushStatusSql.In(alias + ".status", [PushStatus.Pending, PushStatus.InProgress])}
         OR ({PushStatusSql.Is(alias + ".status", PushStatus.Created)}
             AND ({alias}.id IN (SELECT a.request_id FROM push_request_approvals a WHERE a.decision IS NULL)
                  OR EXISTS (SELECT 1 FROM rollout_waves w JOIN rollouts o ON o.id = w.rollout_id WHERE w.request_id = {alias}.id AND o.state IN ('Running', 'Held')))))
        """;

    /// <summary>The live request (0DV…) each (org, package) pair already has a job in, by pair; see <see cref="LiveRequest"/>. Read under the package's lock (<see cref="LockPackagesAsync"/>).</summary>
    public static async Task<Dictionary<(string, long), string>> BusyAsync(NpgsqlConnection connection, IReadOnlyList<(string OrgKey, long PackageId)> pairs, CancellationToken cancellationToken)
    {
        var busy = new Dictionary<(string, long), string>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT DISTINCT ON (j.org_key, v.package_id) j.org_key, v.package_id, j.request_id
            FROM push_requests r
            JOIN package_versions v ON v.id = r.package_version_id
            JOIN push_jobs j ON j.request_id = r.id
            WHERE {LiveRequest("r")}
              AND v.package_id = ANY($2) AND j.org_key = ANY($1)
              AND NOT {PushStatusSql.Is("j.status", PushStatus.Canceled)}
            ORDER BY j.org_key, v.package_id, j.request_id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => p.OrgKey).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => p.PackageId).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            busy[(reader.GetString(0), reader.GetInt64(1))] = SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(2));
        }

        return busy;
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
