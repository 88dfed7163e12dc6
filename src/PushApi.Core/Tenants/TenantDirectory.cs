using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;

namespace PushApi.Core.Tenants;

/// <summary>A package a tenant has (PackageSubscriber): the version, its status, when it was installed and last changed.</summary>
public sealed record InstalledPackage(
    string PackageId, string PackageName, string PackageVersionId, string VersionNumber, string InstalledStatus, DateTimeOffset InstalledAt, DateTimeOffset ChangedAt);

/// <summary>A live exclusion of the tenant: of one package, or of all (<see cref="PackageId"/> null).</summary>
public sealed record TenantExclusion(string? PackageId, string Reason, DateTimeOffset? ExpiresAt);

/// <summary>A tenant as the tenant list shows it: itself, the packages it has and the exclusions that keep pushes away.</summary>
public sealed record TenantListing(Tenant Tenant, IReadOnlyList<InstalledPackage> Packages, IReadOnlyList<TenantExclusion> Exclusions);

/// <summary>
/// The tenant list's search: a part of the name (without case, its LIKE wildcards escaped) or, when the text is an org
/// id of 15 or 18 characters, exactly that org. (The same rule as the Schedule Push Upgrades page's search.)
/// </summary>
public sealed record TenantSearch(string? SearchedKey, string? NamePattern)
{
    public const int MaxSearch = 255;

    public static TenantSearch Parse(string? search)
    {
        var text = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        if (text is null)
        {
            return new(null, null);
        }

        if (text.Length > MaxSearch)
        {
            throw new InputException("search", $"The search is at most {MaxSearch} characters.");
        }

        return OrgKey.TryParse(text, out var key)
            ? new(key.Value, null)
            : new(null, "%" + text.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%");
    }
}

/// <summary>
/// The tenant list (<c>GET /api/v1/tenants</c>): tenants in org-key order (keyset), optionally those whose name contains a
/// text (without case) or whose org id is exactly the text, each with its installed packages and live exclusions. One
/// statement per page: the packages and exclusions are aggregated per row of the page, so a page costs the same at
/// 100,000 tenants as at ten (the name search uses the trigram index of migration 0018 where there is one).
/// </summary>
public sealed class TenantDirectory(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<(IReadOnlyList<TenantListing> Items, string? NextAfter)> PageAsync(string? search, string? after, int limit, CancellationToken cancellationToken = default)
    {
        var filter = TenantSearch.Parse(search);
        string? afterKey = null;
        if (!string.IsNullOrEmpty(after))
        {
            // Any text continues after it in org-key order (an 18-character id from its 15 characters), as the list always allowed.
            afterKey = OrgKey.TryParse(after, out var key) ? key.Value : after;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = PageCommand(connection, filter, afterKey, limit + 1);
        var items = new List<TenantListing>(limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Read(reader));
        }

        var more = items.Count > limit;
        return (more ? items[..limit] : items, more ? items[limit - 1].Tenant.OrgKey : null);
    }

    /// <summary>The one statement of a page (public for its plan to be checked).</summary>
    public static NpgsqlCommand PageCommand(NpgsqlConnection connection, TenantSearch filter, string? after, int limit)
    {
        var command = new NpgsqlCommand { Connection = connection };
        var conditions = new List<string>();
        string Add(object value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return "$" + command.Parameters.Count;
        }

        if (filter.SearchedKey is { } key)
        {
            conditions.Add($"t.org_key = {Add(key, NpgsqlDbType.Text)}");
        }
        else if (filter.NamePattern is { } pattern)
        {
            conditions.Add($"lower(t.org_name) LIKE {Add(pattern, NpgsqlDbType.Text)}");
        }

        if (after is not null)
        {
            conditions.Add($"t.org_key > {Add(after, NpgsqlDbType.Text)}");
        }

        command.CommandText =
            $"""
            SELECT t.org_key, t.org_name, t.org_type, t.org_status, t.instance_name, t.parent_org, t.contact_email,
                   t.max_rollup_summary_fields, t.features, t.has_restriction_enabled, t.maintenance_window::text,
                   t.agent_url, t.agent_username, t.agent_password_protected, t.created_at, t.system_modstamp,
                   (SELECT json_agg(json_build_object(
                               'packageId', i.package_id, 'packageName', p.name, 'versionId', i.package_version_id,
                               'major', v.major_version, 'minor', v.minor_version, 'patch', v.patch_version, 'build', v.build_number,
                               'status', i.installed_status, 'installedAt', i.created_at, 'changedAt', i.system_modstamp) ORDER BY p.name, i.package_id)
                    FROM installations i JOIN packages p ON p.id = i.package_id JOIN package_versions v ON v.id = i.package_version_id
                    WHERE i.org_key = t.org_key)::text,
                   (SELECT json_agg(json_build_object('packageId', e.package_id, 'reason', e.reason, 'expiresAt', e.expires_at) ORDER BY e.id)
                    FROM exclusions e WHERE e.org_key = t.org_key AND (e.expires_at IS NULL OR e.expires_at > now()))::text
            FROM tenants t
            {(conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions))}
            ORDER BY t.org_key
            LIMIT {Add(limit, NpgsqlDbType.Integer)}
            """;
        return command;
    }

    private static TenantListing Read(NpgsqlDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        var tenant = new Tenant
        {
            OrgKey = reader.GetString(0),
            OrgName = reader.GetString(1),
            OrgType = reader.GetString(2),
            OrgStatus = reader.GetString(3),
            InstanceName = Text(4),
            ParentOrg = Text(5),
            ContactEmail = Text(6),
            MaxRollupSummaryFields = reader.IsDBNull(7) ? null : reader.GetInt32(7),
            Features = reader.IsDBNull(8) ? null : reader.GetFieldValue<string[]>(8),
            HasRestrictionEnabled = reader.GetBoolean(9),
            MaintenanceWindow = Governance.Windows.MaintenanceWindow.FromJson(Text(10)),
            AgentUrl = Text(11),
            AgentUsername = Text(12),
            AgentPasswordProtected = Text(13),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(14),
            SystemModstamp = reader.GetFieldValue<DateTimeOffset>(15),
        };
        var packages = Text(16) is { } installs
            ? JsonSerializer.Deserialize<List<InstallRow>>(installs, Json)!.Select(r => r.ToPackage()).ToList()
            : [];
        var exclusions = Text(17) is { } excluded
            ? JsonSerializer.Deserialize<List<ExclusionRow>>(excluded, Json)!.Select(r => r.ToExclusion()).ToList()
            : [];
        return new TenantListing(tenant, packages, exclusions);
    }

    private sealed record InstallRow(long PackageId, string PackageName, long VersionId, int Major, int Minor, int Patch, int Build, string Status, DateTimeOffset InstalledAt, DateTimeOffset ChangedAt)
    {
        public InstalledPackage ToPackage() => new(
            SalesforceId.Format(KeyPrefixes.MetadataPackage, PackageId),
            PackageName,
            SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, VersionId),
            new VersionNumber(Major, Minor, Patch, Build).ToString(),
            Status == InstalledStatuses.Installed ? "Installed" : "Uninstalled",
            InstalledAt,
            ChangedAt);
    }

    private sealed record ExclusionRow(long? PackageId, string Reason, DateTimeOffset? ExpiresAt)
    {
        public TenantExclusion ToExclusion() => new(PackageId is { } id ? SalesforceId.Format(KeyPrefixes.MetadataPackage, id) : null, Reason, ExpiresAt);
    }
}
