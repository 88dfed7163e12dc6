namespace PushApi.Core.Tenants;

/// <summary>How a push's successes land in the tenants' install records (PackageSubscriber).</summary>
public static class InstallationRecords
{
    /// <summary>
    /// A CTE of the job completion statement: the install row of each org whose upgrade succeeded moves
    /// to the request's target version (and counts as installed again). It reads the completed jobs from
    /// <c>done(id, request_id, org_key, ok)</c> and the time from <c>$4</c>.
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
        )
        """;
}
