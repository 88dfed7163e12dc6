namespace PushApi.Core.Tenants;

/// <summary>How a push's successes land in the tenants' install records (PackageSubscriber).</summary>
public static class InstallationRecords
{
    /// <summary>
    /// A CTE of the job completion statement: the install row of each org whose upgrade succeeded moves to the request's
    /// target version (and counts as installed again), and an org that had no install row (a fresh install) gets one,
    /// in one upsert. It reads the completed jobs from <c>done(id, request_id, org_key, ok)</c> and the time from <c>$4</c>.
    /// An org completed twice in one batch for the same package (two requests) takes its later job's version.
    /// </summary>
    public const string RecordUpgradesCte =
        """
        installed AS (
            INSERT INTO installations (org_key, package_id, package_version_id, installed_status, created_at, system_modstamp)
            SELECT DISTINCT ON (d.org_key, v.package_id) d.org_key, v.package_id, v.id, 'i', $4, $4
            FROM done d
            JOIN push_requests r ON r.id = d.request_id
            JOIN package_versions v ON v.id = r.package_version_id
            WHERE d.ok
            ORDER BY d.org_key, v.package_id, d.id DESC
            ON CONFLICT (org_key, package_id) DO UPDATE
            SET package_version_id = excluded.package_version_id, installed_status = 'i', system_modstamp = excluded.system_modstamp
        )
        """;
}
