using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Catalog;

/// <summary>
/// The six push-upgrade objects as Salesforce describes them (salesforce-push-api.md section 1). Describe,
/// (de)serialisation, input checks, SOQL and the WSDL all read their field lists from here.
/// </summary>
/// <remarks>
/// Property letters follow the describe legend: C createable, U updateable, F filterable, G groupable,
/// S sortable, N nillable, DoC defaulted on create, idL id lookup, Req required on create. Where the
/// documentation calls StartTime/EndTime createable and updateable, PushApi owns them (the push engine
/// sets them), so they are neither here: describe tells clients what the service really accepts.
/// </remarks>
public static class SObjectCatalog
{
    public const string MetadataPackageName = "MetadataPackage";
    public const string MetadataPackageVersionName = "MetadataPackageVersion";
    public const string PackageSubscriberName = "PackageSubscriber";
    public const string PackagePushRequestName = "PackagePushRequest";
    public const string PackagePushJobName = "PackagePushJob";
    public const string PackagePushErrorName = "PackagePushError";
    public const string OrganizationName = "Organization";
    public const string UserName = "User";
    public const string ScratchOrgInfoName = "ScratchOrgInfo";

    private static readonly Dictionary<string, SObjectDescriptor> ByName;
    private static readonly Dictionary<string, SObjectDescriptor> ByPrefix;

    static SObjectCatalog()
    {
        MetadataPackage = new SObjectDescriptor(
            MetadataPackageName, KeyPrefixes.MetadataPackage, "Metadata Package", "Metadata Packages", createable: false, updateable: false,
            WithAuditFields(
            [
                Text("Name", "Name", 255, "F,G,idL,S"),
                Text("NamespacePrefix", "Namespace Prefix", 15, "F,G,N,S"),
                Picklist("PackageCategory", "Package Category", "DoC,F,G,N,S", ("Application", false), ("Module", false), ("Package", true), ("Package2", false)),
            ]),
            [
                new ChildRelationship("MetadataPackageVersions", MetadataPackageVersionName, "MetadataPackageId"),
                new ChildRelationship("PackageSubscribers", PackageSubscriberName, "MetadataPackageId"),
            ]);

        MetadataPackageVersion = new SObjectDescriptor(
            MetadataPackageVersionName, KeyPrefixes.MetadataPackageVersion, "Metadata Package Version", "Metadata Package Versions", createable: false, updateable: false,
            WithAuditFields(
            [
                Number("BuildNumber", "Build Number", "F,G,N,S"),
                Flag("IsDeprecated", "Deprecated", "DoC,F,G,S"),
                Number("MajorVersion", "Major Version", "F,G,N,S"),
                Reference("MetadataPackageId", "Metadata Package ID", MetadataPackageName, "MetadataPackage", "F,G,N,S"),
                Number("MinorVersion", "Minor Version", "F,G,N,S"),
                Text("Name", "Name", 255, "F,G,idL,S"),
                Number("PatchVersion", "Patch Version", "F,G,N,S"),
                Picklist("ReleaseState", "Release State", "F,G,N,S", ("Beta", false), ("Released", false)),
            ]),
            [
                new ChildRelationship("PackagePushRequests", PackagePushRequestName, "PackageVersionId"),
                new ChildRelationship("PackageSubscribers", PackageSubscriberName, "MetadataPackageVersionId"),
            ]);

        PackageSubscriber = new SObjectDescriptor(
            PackageSubscriberName, KeyPrefixes.PackageSubscriber, "Package Subscriber", "Package Subscribers", createable: false, updateable: false,
            WithAuditFields(
            [
                Picklist("CustomUpgradeType", "Custom Upgrade Type", "DoC,F,G,N,S", ("BlockedBySubscriber", false), ("None", true)),
                Flag("HasRestrictionEnabled", "Has Restriction Enabled", "DoC,F,G,S"),
                Picklist("InstalledStatus", "Installed Status", "F,G,N,S", ("i", false, "Installed"), ("u", false, "Uninstalled")),
                Text("InstanceName", "Instance Name", 40, "F,G,N,S"),
                Flag("IsCustomUpgradeAllowed", "Custom Upgrade Allowed", "DoC,F,G,S"),
                Reference("MetadataPackageId", "Metadata Package ID", MetadataPackageName, "MetadataPackage", "F,G,N,S"),
                Reference("MetadataPackageVersionId", "Metadata Package Version ID", MetadataPackageVersionName, "MetadataPackageVersion", "F,G,N,S"),
                Text("OrgKey", "Org Key", 18, "F,G,N,S"),
                Text("OrgName", "Org Name", 255, "F,G,N,S"),
                Picklist("OrgStatus", "Org Status", "F,G,N,S", ("Active", false), ("Demo", false), ("Free", false), ("Inactive", false), ("Trial", false)),
                Picklist("OrgType", "Org Type", "F,G,N,S", ("Production", false), ("Sandbox", false)),
                Text("ParentOrg", "Parent Org", 18, "F,G,N,S"),
            ]),
            []);

        PackagePushRequest = new SObjectDescriptor(
            PackagePushRequestName, KeyPrefixes.PackagePushRequest, "Package Push Request", "Package Push Requests", createable: true, updateable: true,
            WithAuditFields(
            [
                Number("DurationSeconds", "Duration Seconds", "G,N"),
                Timestamp("EndTime", "End Time", "N"),
                Flag("IsMigration", "Migration", "C,DoC,F,G,S") with { Column = "is_migration" },
                Reference("PackageVersionId", "Package Version ID", MetadataPackageVersionName, "PackageVersion", "C,F,G,N,S,U,Req") with { Column = "package_version_id" },
                Timestamp("ScheduledStartTime", "Scheduled Start Time", "C,F,N,S,U") with { Column = "scheduled_start_time" },
                Timestamp("StartTime", "Start Time", "N"),
                StatusPicklist("C,DoC,F,G,N,S,U") with { Column = "status" },
            ]),
            [new ChildRelationship("PackagePushJobs", PackagePushJobName, "PackagePushRequestId")]);

        PackagePushJob = new SObjectDescriptor(
            PackagePushJobName, KeyPrefixes.PackagePushJob, "Package Push Job", "Package Push Jobs", createable: true, updateable: true,
            WithAuditFields(
            [
                Number("DurationSeconds", "Duration Seconds", "G,N"),
                Timestamp("EndTime", "End Time", "N"),
                Reference("PackagePushRequestId", "Package Push Request ID", PackagePushRequestName, "PackagePushRequest", "C,F,G,N,S,U,Req") with { Column = "request_id" },
                Timestamp("StartTime", "Start Time", "N"),
                StatusPicklist("C,DoC,F,G,N,S") with { Column = "status" },
                Text("SubscriberOrganizationKey", "Subscriber Organization Key", 18, "C,F,G,N,S,U,Req") with { Column = "subscriber_organization_key" },
            ]),
            [new ChildRelationship("PackagePushErrors", PackagePushErrorName, "PackagePushJobId")]);

        PackagePushError = new SObjectDescriptor(
            PackagePushErrorName, KeyPrefixes.PackagePushError, "Package Push Error", "Package Push Errors", createable: false, updateable: false,
            WithAuditFields(
            [
                LongText("ErrorDetails", "Error Details", 32000, "N,S"),
                LongText("ErrorMessage", "Error Message", 32000, "N,S"),
                Picklist("ErrorSeverity", "Error Severity", "F,G,N,S", ("Error", false), ("Warning", false)),
                Text("ErrorTitle", "Error Title", 255, "N,S"),
                Picklist(
                    "ErrorType", "Error Type", "F,G,N,S",
                    ("ApexTestFailure", false), ("DeployError", false), ("FeatureMissing", false), ("IneligibleUpgrade", false),
                    ("LimitExceeded", false), ("LockingFailure", false), ("PACError", false), ("UnclassifiedError", false)),
                Reference("PackagePushJobId", "Package Push Job ID", PackagePushJobName, "PackagePushJob", "F,G,N,S"),
            ]),
            []);

        // Read-only objects tools look at on the way in (the sf CLI's login and Dev Hub check): this
        // installation as an org, its users, and a scratch-org list that is always empty.
        Organization = new SObjectDescriptor(
            OrganizationName, KeyPrefixes.Organization, "Organization", "Organizations", createable: false, updateable: false,
            WithStandardFields(
            [
                Flag("IsSandbox", "Is Sandbox", "F,G,S"),
                Text("InstanceName", "Instance Name", 5, "F,G,N,S"),
                Text("Name", "Name", 80, "F,G,S"),
                Text("NamespacePrefix", "Namespace Prefix", 15, "F,G,N,S"),
                Text("OrganizationType", "Edition", 40, "F,G,N,S"),
                Timestamp("TrialExpirationDate", "Trial Expiration Date", "F,N,S"),
            ]),
            []);

        User = new SObjectDescriptor(
            UserName, KeyPrefixes.User, "User", "Users", createable: false, updateable: false,
            WithStandardFields(
            [
                Text("Email", "Email", 128, "F,G,N,S"),
                Flag("IsActive", "Active", "F,G,S"),
                Text("Name", "Full Name", 121, "F,S"),
                Text("Username", "Username", 80, "F,G,idL,S"),
            ]),
            []);

        ScratchOrgInfo = new SObjectDescriptor(
            ScratchOrgInfoName, KeyPrefixes.ScratchOrgInfo, "Scratch Org Info", "Scratch Org Infos", createable: false, updateable: false,
            WithStandardFields(
            [
                Timestamp("ExpirationDate", "Expiration Date", "F,N,S"),
                Text("Name", "Name", 80, "F,G,S"),
                Text("ScratchOrg", "Scratch Org", 18, "F,G,N,S"),
                Text("Status", "Status", 40, "F,G,N,S"),
            ]),
            []);

        PushObjects = [MetadataPackage, MetadataPackageVersion, PackageSubscriber, PackagePushRequest, PackagePushJob, PackagePushError];
        All = [.. PushObjects, Organization, User, ScratchOrgInfo];
        ByName = All.ToDictionary(o => o.Name, StringComparer.OrdinalIgnoreCase);
        ByPrefix = All.ToDictionary(o => o.KeyPrefix, StringComparer.Ordinal);
    }

    public static SObjectDescriptor MetadataPackage { get; }

    public static SObjectDescriptor MetadataPackageVersion { get; }

    public static SObjectDescriptor PackageSubscriber { get; }

    public static SObjectDescriptor PackagePushRequest { get; }

    public static SObjectDescriptor PackagePushJob { get; }

    public static SObjectDescriptor PackagePushError { get; }

    public static SObjectDescriptor Organization { get; }

    public static SObjectDescriptor User { get; }

    public static SObjectDescriptor ScratchOrgInfo { get; }

    /// <summary>The six push-upgrade objects.</summary>
    public static IReadOnlyList<SObjectDescriptor> PushObjects { get; }

    /// <summary>Every object, in the order the global describe lists them.</summary>
    public static IReadOnlyList<SObjectDescriptor> All { get; }

    /// <summary>Finds an object by name, ignoring case (URLs and SOQL are case-insensitive).</summary>
    public static SObjectDescriptor? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Whether <c>sobjects/{Type}/updated</c> and <c>/deleted</c> serve the object: the six push objects, which carry the audit fields.</summary>
    public static bool IsReplicateable(SObjectDescriptor type) => PushObjects.Contains(type);

    public static SObjectDescriptor? FindByKeyPrefix(string keyPrefix) => ByPrefix.GetValueOrDefault(keyPrefix);

    private static List<FieldDescriptor> WithStandardFields(List<FieldDescriptor> fields)
    {
        var id = new FieldDescriptor
        {
            Name = "Id",
            Label = "ID",
            Type = FieldType.Id,
            Length = 18,
            Filterable = true,
            Groupable = true,
            Sortable = true,
            IdLookup = true,
            DefaultedOnCreate = true,
        };
        var modstamp = Timestamp("SystemModstamp", "System Modstamp", "DoC,F,S");
        return [id, .. fields.Append(modstamp).OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The standard fields and Salesforce's audit fields (docs/audit-fields-and-limits.md): CreatedDate and LastModifiedDate,
    /// CreatedById and LastModifiedById (references to User), all read-only and never null.
    /// </summary>
    private static List<FieldDescriptor> WithAuditFields(List<FieldDescriptor> fields) => WithStandardFields(
    [
        .. fields,
        Timestamp("CreatedDate", "Created Date", "DoC,F,S"),
        Reference("CreatedById", "Created By ID", UserName, "CreatedBy", "DoC,F,G,S"),
        Timestamp("LastModifiedDate", "Last Modified Date", "DoC,F,S"),
        Reference("LastModifiedById", "Last Modified By ID", UserName, "LastModifiedBy", "DoC,F,G,S"),
    ]);

    private static FieldDescriptor Text(string name, string label, int length, string props) =>
        Apply(new FieldDescriptor { Name = name, Label = label, Type = FieldType.String, Length = length }, props);

    private static FieldDescriptor LongText(string name, string label, int length, string props) =>
        Apply(new FieldDescriptor { Name = name, Label = label, Type = FieldType.TextArea, Length = length }, props);

    private static FieldDescriptor Number(string name, string label, string props) =>
        Apply(new FieldDescriptor { Name = name, Label = label, Type = FieldType.Int }, props);

    private static FieldDescriptor Flag(string name, string label, string props) =>
        Apply(new FieldDescriptor { Name = name, Label = label, Type = FieldType.Boolean }, props);

    private static FieldDescriptor Timestamp(string name, string label, string props) =>
        Apply(new FieldDescriptor { Name = name, Label = label, Type = FieldType.DateTime }, props);

    private static FieldDescriptor Reference(string name, string label, string target, string relationship, string props) =>
        Apply(new FieldDescriptor { Name = name, Label = label, Type = FieldType.Reference, Length = 18, ReferenceTo = target, RelationshipName = relationship }, props);

    private static FieldDescriptor Picklist(string name, string label, string props, params (string Value, bool IsDefault)[] values) =>
        Apply(new FieldDescriptor
        {
            Name = name,
            Label = label,
            Type = FieldType.Picklist,
            Length = 255,
            PicklistValues = [.. values.Select(v => new PicklistValue(v.Value, v.Value, v.IsDefault))],
        }, props);

    private static FieldDescriptor Picklist(string name, string label, string props, params (string Value, bool IsDefault, string Label)[] values) =>
        Apply(new FieldDescriptor
        {
            Name = name,
            Label = label,
            Type = FieldType.Picklist,
            Length = 255,
            PicklistValues = [.. values.Select(v => new PicklistValue(v.Value, v.Label, v.IsDefault))],
        }, props);

    private static FieldDescriptor StatusPicklist(string props) =>
        Picklist("Status", "Status", props, [.. PushStatuses.All.OrderBy(s => s.WireName(), StringComparer.Ordinal).Select(s => (s.WireName(), s == PushStatus.Created))]);

    private static FieldDescriptor Apply(FieldDescriptor field, string props)
    {
        var flags = props.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        string[] known = ["C", "U", "F", "G", "S", "N", "DoC", "idL", "Req"];
        var unknown = flags.Except(known).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown field property letters {string.Join(",", unknown)} on {field.Name}.", nameof(props));
        }

        return field with
        {
            Createable = flags.Contains("C"),
            Updateable = flags.Contains("U"),
            Filterable = flags.Contains("F"),
            Groupable = flags.Contains("G"),
            Sortable = flags.Contains("S"),
            Nillable = flags.Contains("N"),
            DefaultedOnCreate = flags.Contains("DoC"),
            IdLookup = flags.Contains("idL"),
            RequiredOnCreate = flags.Contains("Req"),
        };
    }
}
