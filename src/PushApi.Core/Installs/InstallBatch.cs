using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Packages;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Persistence;

namespace PushApi.Core.Installs;

/// <summary>A tenant's capabilities as an install checks them: its rollup-summary limit and its features (null: all).</summary>
public sealed record TenantCapabilities(string OrgKey, int? MaxRollupSummaryFields, IReadOnlySet<string>? Features);

/// <summary>The plan of one tenant in a batch, with the components it concerns: the package's own (by type and name) and the tenant's roles.</summary>
public sealed record TenantInstall(string OrgKey, InstallPlan Plan, IReadOnlyList<TenantComponent> Roles, IReadOnlyList<TenantComponent> Ours);

/// <summary>
/// Plans installing one version into many in-platform tenants at once, set-based: the tenants' capabilities, installs
/// and relevant components are read in three statements whatever the number of tenants, and each tenant's plan is made by
/// <see cref="InstallPlanner"/> — the same planner the install-plan endpoint shows. Used by the push engine (a batch of
/// jobs) and by the one-tenant install (a batch of one).
/// </summary>
public static class InstallBatch
{
    /// <summary>
    /// The capabilities of the tenants, their rows locked (FOR NO KEY UPDATE, in org-key order) when <paramref name="lockRows"/>:
    /// the caller's transaction then is the only one installing into, or adding components to, these tenants. Lock before the install rows.
    /// </summary>
    public static async Task<Dictionary<string, TenantCapabilities>> CapabilitiesAsync(NpgsqlConnection connection, IEnumerable<string> orgKeys, bool lockRows, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, TenantCapabilities>(StringComparer.Ordinal);
        var keys = orgKeys.Distinct().ToArray();
        if (keys.Length == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT org_key, max_rollup_summary_fields, features FROM tenants WHERE org_key = ANY($1) ORDER BY org_key{(lockRows ? " FOR NO KEY UPDATE" : "")}", connection);
        command.Parameters.Add(SqlParameters.Array(keys, NpgsqlDbType.Text));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetString(0)] = new TenantCapabilities(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<string[]>(2).ToHashSet(StringComparer.Ordinal));
        }

        return found;
    }

    /// <summary>Each tenant's plan for installing <paramref name="version"/> (which has a manifest).</summary>
    public static async Task<List<TenantInstall>> PlanAsync(
        NpgsqlConnection connection, VersionContents version, IReadOnlyList<TenantCapabilities> tenants, InstallOptions options, CancellationToken cancellationToken)
    {
        var keys = tenants.Select(t => t.OrgKey).ToArray();
        var installed = await InstalledAsync(connection, keys, [version.PackageId, .. version.Needs.Select(n => n.PackageId)], cancellationToken);
        var components = await ComponentsAsync(connection, keys, version, cancellationToken);
        var plans = new List<TenantInstall>(tenants.Count);
        foreach (var tenant in tenants)
        {
            // A version without a manifest changes no component: it is planned against none.
            var own = version.HasManifest ? components.GetValueOrDefault(tenant.OrgKey) ?? [] : [];
            var needed = version.Needs
                .Select(n => new NeededPackage(Ids.SalesforceId.Format(Ids.KeyPrefixes.MetadataPackage, n.PackageId), n.Minimum, installed.TryGetValue((tenant.OrgKey, n.PackageId), out var v) ? v : null))
                .ToList();
            var plan = InstallPlanner.Plan(
                version.PackageId, installed.ContainsKey((tenant.OrgKey, version.PackageId)), version.Plannable, own, needed, tenant.MaxRollupSummaryFields, tenant.Features, options);
            plans.Add(new TenantInstall(tenant.OrgKey, plan, [.. own.Where(c => c.Type == ItemTypes.Role && c.PackageId != version.PackageId)], [.. own.Where(c => c.PackageId == version.PackageId)]));
        }

        return plans;
    }

    /// <summary>The version of each (tenant, package) pair installed, for the version's package and the packages it needs.</summary>
    private static async Task<Dictionary<(string, long), VersionNumber>> InstalledAsync(NpgsqlConnection connection, string[] keys, long[] packages, CancellationToken cancellationToken)
    {
        var installed = new Dictionary<(string, long), VersionNumber>();
        await using var command = new NpgsqlCommand(
            """
            SELECT i.org_key, i.package_id, v.major_version, v.minor_version, v.patch_version, v.build_number
            FROM installations i JOIN package_versions v ON v.id = i.package_version_id
            WHERE i.org_key = ANY($1) AND i.package_id = ANY($2) AND i.installed_status = 'i'
            """, connection);
        command.Parameters.Add(SqlParameters.Array(keys, NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(packages.Distinct(), NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            installed[(reader.GetString(0), reader.GetInt64(1))] = new VersionNumber(reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5));
        }

        return installed;
    }

    /// <summary>
    /// The components a plan looks at, by tenant: the package's own, rollup summary fields (the limit), roles, the tenant's
    /// additions to objects (preserved), and any whose internal name an item of the version has (conflicts). Definitions
    /// are read for roles only (an install rewrites them). A packaged component the version still has comes back as the
    /// item's position and whether its checksum is the item's: its strings are the version's, so a batch of 500 tenants
    /// on a 50-item package reads 25,000 rows without making a string for any of them.
    /// </summary>
    private static async Task<Dictionary<string, List<TenantComponent>>> ComponentsAsync(NpgsqlConnection connection, string[] keys, VersionContents version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            WITH k AS (
                SELECT * FROM unnest($1::text[]) WITH ORDINALITY AS k (org_key, ord)
            ), v AS (
                SELECT t, lower(n) AS ln, sha, pos FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS v (t, n, sha, pos)
            )
            SELECT k.ord, c.id, m.pos, m.sha IS NOT DISTINCT FROM c.sha256,
                   CASE WHEN m.pos IS NULL THEN c.type END, CASE WHEN m.pos IS NULL THEN c.name END, CASE WHEN m.pos IS NULL THEN c.api_name END,
                   c.parent, c.origin = '{ComponentOrigins.Tenant}', c.package_id, c.package_version_id,
                   CASE WHEN c.type = '{ItemTypes.Role}' THEN c.definition::text END, CASE WHEN m.pos IS NULL THEN c.sha256 END, c.modified, c.orphaned
            FROM k
            JOIN tenant_components c ON c.org_key = k.org_key
            LEFT JOIN v m ON c.package_id = $2 AND m.t = c.type AND m.ln = lower(c.name)
            WHERE c.package_id = $2 OR c.type IN ('{ItemTypes.RollupSummaryField}', '{ItemTypes.Role}') OR (c.origin = '{ComponentOrigins.Tenant}' AND c.parent IS NOT NULL)
               OR (c.type, lower(c.api_name)) IN (SELECT t, ln FROM v)
            ORDER BY k.ord, c.id
            """, connection);
        command.Parameters.Add(SqlParameters.Array(keys, NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Value(version.PackageId));
        command.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Type), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Name), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Sha256), NpgsqlDbType.Text));
        var found = new Dictionary<string, List<TenantComponent>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = keys[reader.GetInt64(0) - 1];
            if (!found.TryGetValue(key, out var list))
            {
                found[key] = list = [];
            }

            list.Add(Read(reader, version));
        }

        return found;
    }

    /// <summary>A component row of <see cref="ComponentsAsync"/>: a packaged one the version has takes the item's strings.</summary>
    private static TenantComponent Read(NpgsqlDataReader reader, VersionContents version)
    {
        var item = reader.IsDBNull(2) ? null : version.Items[(int)reader.GetInt64(2) - 1];
        return new TenantComponent(
            reader.GetInt64(1),
            item?.Type ?? reader.GetString(4),
            item?.Name ?? reader.GetString(5),
            item?.Name ?? reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetBoolean(8) ? ComponentOrigins.Tenant : ComponentOrigins.Package,
            reader.IsDBNull(9) ? null : reader.GetInt64(9),
            reader.IsDBNull(10) ? null : reader.GetInt64(10),
            reader.IsDBNull(11) ? "" : reader.GetString(11),
            item is null ? (reader.IsDBNull(12) ? null : reader.GetString(12)) : reader.GetBoolean(3) ? item.Sha256 : null,
            reader.GetBoolean(13),
            reader.GetBoolean(14));
    }

    /// <summary>
    /// Applies the plans (all free of errors) in the caller's transaction: components written for every tenant at once,
    /// the tenants' roles changed as the plans say, and (with <paramref name="recordInstalls"/>) the installs recorded.
    /// </summary>
    public static async Task ApplyAsync(
        NpgsqlConnection connection, VersionContents version, IReadOnlyList<TenantInstall> installs, InstallOptions options, DateTimeOffset now, bool recordInstalls, CancellationToken cancellationToken)
    {
        if (installs.Count == 0)
        {
            return;
        }

        await ComponentWrites.InstallAsync(connection, version, ComponentChanges.Of(version, installs), now, recordInstalls, cancellationToken);
        var roles = installs.SelectMany(i => RoleChanges(version, i, options)).ToList();
        await ComponentWrites.RewriteAsync(connection, roles, now, cancellationToken);
    }

    /// <summary>The new definition of each tenant role the plan names (none when the roles mode is ignore).</summary>
    private static IEnumerable<(long Id, string Definition)> RoleChanges(VersionContents version, TenantInstall install, InstallOptions options)
    {
        var byName = install.Roles.ToDictionary(r => r.ApiName, StringComparer.OrdinalIgnoreCase);
        foreach (var entry in install.Plan.Roles)
        {
            if (!byName.TryGetValue(entry.Name, out var role))
            {
                continue;
            }

            var existing = JsonNode.Parse(role.Definition) as JsonObject ?? [];
            JsonObject? changed = version.Roles.TryGetValue(entry.Name, out var packaged)
                ? options.RolesMode == RolesModes.Ignore ? null : Roles.RolePermissions.Apply(existing, packaged, options.RolesMode)
                : Roles.RolePermissions.Grant(existing, version.Objects);
            if (changed is not null)
            {
                yield return (role.Id, changed.ToJsonString());
            }
        }
    }
}
