namespace PushApi.Core.Tenants;

/// <summary>How a push's successes land in the tenants' install records (PackageSubscriber).</summary>
public static class InstallationRecords
{
    /// <summary>
    /// CTEs of the job completion statement: the install row of each org whose upgrade succeeded moves to the
    /// request's target version (and counts as installed again), and an org that had no install row (a fresh
    /// install) gets one. They read the completed jobs from <c>done(id, request_id, org_key, ok)</c> and the time
    /// from <c>$4</c>. (Both see the rows as they were before the statement: an org is updated or inserted, not both.)
    /// </summary>
    public const string RecordUpgradesCte =
        """
        installed AS (
            UPDATE installations i
            SET package_version_id = r.package_version_id, installed_status = 'i', system_modstamp = $4
            FROM done d
            JOIN push_requests r ON r.id = d.request_id
            JOIN package_versions v ON v.id = r.package_version_id
            WHERE d.ok AND i.org_key = d.org_key AND i.package_id = v.package_id
        ), fresh AS (
            INSERT INTO installations (org_key, package_id, package_version_id, installed_status, created_at, system_modstamp)
            SELECT d.org_key, v.package_id, v.id, 'i', $4, $4
            FROM done d
            JOIN push_requests r ON r.id = d.request_id
            JOIN package_versions v ON v.id = r.package_version_id
            WHERE d.ok AND NOT EXISTS (SELECT 1 FROM installations i WHERE i.org_key = d.org_key AND i.package_id = v.package_id)
            ON CONFLICT (org_key, package_id) DO NOTHING
        )
        """;
}
