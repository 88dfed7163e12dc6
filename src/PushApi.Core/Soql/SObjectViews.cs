using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// Where SOQL finds each object: a view (migration 0003) whose columns are the object's fields in
/// lower case. The only field that filters on another column is SubscriberOrganizationKey, which
/// compares through its 15-character form.
/// </summary>
public static class SObjectViews
{
    private static readonly Dictionary<string, string> Views = new(StringComparer.Ordinal)
    {
        [SObjectCatalog.MetadataPackageName] = "sobject_metadata_package",
        [SObjectCatalog.MetadataPackageVersionName] = "sobject_metadata_package_version",
        [SObjectCatalog.PackageSubscriberName] = "sobject_package_subscriber",
        [SObjectCatalog.PackagePushRequestName] = "sobject_package_push_request",
        [SObjectCatalog.PackagePushJobName] = "sobject_package_push_job",
        [SObjectCatalog.PackagePushErrorName] = "sobject_package_push_error",
        [SObjectCatalog.OrganizationName] = "sobject_organization",
        [SObjectCatalog.UserName] = "sobject_user",
        [SObjectCatalog.ScratchOrgInfoName] = "sobject_scratch_org_info",
    };

    /// <summary>String fields that hold org ids: compared exactly, on the 15-character key.</summary>
    private static readonly Dictionary<(string Type, string Field), string> OrgKeyFilterColumns = new()
    {
        [(SObjectCatalog.PackageSubscriberName, "OrgKey")] = "orgkey",
        [(SObjectCatalog.PackageSubscriberName, "ParentOrg")] = "parentorg",
        [(SObjectCatalog.PackagePushJobName, "SubscriberOrganizationKey")] = "org_key",
    };

    public static string ViewOf(SObjectDescriptor type) => Views[type.Name];

    /// <summary>
    /// Whether the object's id column holds the 15-character id as text (the organization, whose id is
    /// the org id of this installation) rather than a row number.
    /// </summary>
    public static bool HasTextIds(SObjectDescriptor type) => type == SObjectCatalog.Organization;

    public static string Column(FieldDescriptor field) => field.Name.ToLowerInvariant();

    /// <summary>The column an org-id field is compared on, or null for ordinary fields.</summary>
    public static string? OrgKeyFilterColumn(SObjectDescriptor type, FieldDescriptor field) =>
        OrgKeyFilterColumns.GetValueOrDefault((type.Name, field.Name));
}
