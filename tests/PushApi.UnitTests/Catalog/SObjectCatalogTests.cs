using PushApi.Core.Catalog;

namespace PushApi.UnitTests.Catalog;

public class SObjectCatalogTests
{
    // salesforce-push-api.md section 1: every field of every object, with its describe type.
    private static readonly Dictionary<string, string[]> SpecFields = new()
    {
        ["MetadataPackage"] = ["Name:string", "NamespacePrefix:string", "PackageCategory:picklist"],
        ["MetadataPackageVersion"] = ["BuildNumber:int", "IsDeprecated:boolean", "MajorVersion:int", "MetadataPackageId:reference", "MinorVersion:int", "Name:string", "PatchVersion:int", "ReleaseState:picklist"],
        ["PackageSubscriber"] = ["CustomUpgradeType:picklist", "HasRestrictionEnabled:boolean", "InstalledStatus:picklist", "InstanceName:string", "IsCustomUpgradeAllowed:boolean", "MetadataPackageId:reference", "MetadataPackageVersionId:reference", "OrgKey:string", "OrgName:string", "OrgStatus:picklist", "OrgType:picklist", "ParentOrg:string"],
        ["PackagePushRequest"] = ["DurationSeconds:int", "EndTime:datetime", "IsMigration:boolean", "PackageVersionId:reference", "ScheduledStartTime:datetime", "StartTime:datetime", "Status:picklist"],
        ["PackagePushJob"] = ["DurationSeconds:int", "EndTime:datetime", "PackagePushRequestId:reference", "StartTime:datetime", "Status:picklist", "SubscriberOrganizationKey:string"],
        ["PackagePushError"] = ["ErrorDetails:textarea", "ErrorMessage:textarea", "ErrorSeverity:picklist", "ErrorTitle:string", "ErrorType:picklist", "PackagePushJobId:reference"],
    };

    [TestCase("MetadataPackage", "033")]
    [TestCase("MetadataPackageVersion", "04t")]
    [TestCase("PackageSubscriber", "0Hf")]
    [TestCase("PackagePushRequest", "0DV")]
    [TestCase("PackagePushJob", "0DX")]
    [TestCase("PackagePushError", "0DY")]
    public void Each_object_has_its_key_prefix(string name, string prefix)
    {
        Assert.That(SObjectCatalog.Find(name)!.KeyPrefix, Is.EqualTo(prefix));
        Assert.That(SObjectCatalog.FindByKeyPrefix(prefix)!.Name, Is.EqualTo(name));
    }

    [Test]
    public void Every_field_of_the_spec_is_in_the_catalog_with_its_type_plus_Id_and_the_audit_fields()
    {
        Assert.That(SObjectCatalog.PushObjects.Select(o => o.Name), Is.EquivalentTo(SpecFields.Keys));
        foreach (var (name, fields) in SpecFields)
        {
            var descriptor = SObjectCatalog.Find(name)!;
            var actual = descriptor.Fields.Select(f => $"{f.Name}:{f.Type.DescribeName()}").ToList();
            string[] audit = ["Id:id", "SystemModstamp:datetime", "CreatedDate:datetime", "CreatedById:reference", "LastModifiedDate:datetime", "LastModifiedById:reference"];
            Assert.That(actual, Is.EquivalentTo(fields.Concat(audit)), name);
            Assert.That(actual[0], Is.EqualTo("Id:id"), "Id comes first");
        }
    }

    [Test]
    public void The_objects_the_sf_CLI_reads_on_login_are_there_read_only()
    {
        Assert.That(SObjectCatalog.All.Except(SObjectCatalog.PushObjects).Select(o => o.Name), Is.EquivalentTo(new[] { "Organization", "User", "ScratchOrgInfo" }));
        Assert.That(SObjectCatalog.User.FindField("Username"), Is.Not.Null);
        Assert.That(SObjectCatalog.Organization.KeyPrefix, Is.EqualTo("00D"));
        foreach (var name in new[] { "Name", "InstanceName", "IsSandbox", "TrialExpirationDate", "NamespacePrefix", "OrganizationType" })
        {
            Assert.That(SObjectCatalog.Organization.FindField(name), Is.Not.Null, name);
        }
    }

    [Test]
    public void Object_and_field_names_are_found_ignoring_case()
    {
        var request = SObjectCatalog.Find("packagepushrequest")!;
        Assert.That(request.Name, Is.EqualTo("PackagePushRequest"));
        Assert.That(request.FindField("packageversionid")!.Name, Is.EqualTo("PackageVersionId"));
        Assert.That(request.FindParentRelationship("packageversion")!.Name, Is.EqualTo("PackageVersionId"));
        Assert.That(SObjectCatalog.Find("Account"), Is.Null);
    }

    [Test]
    public void Relationships_connect_the_objects_both_ways()
    {
        string[][] expected =
        [
            ["MetadataPackageVersion", "MetadataPackageId", "MetadataPackage", "MetadataPackage", "MetadataPackageVersions"],
            ["PackageSubscriber", "MetadataPackageVersionId", "MetadataPackageVersion", "MetadataPackageVersion", "PackageSubscribers"],
            ["PackageSubscriber", "MetadataPackageId", "MetadataPackage", "MetadataPackage", "PackageSubscribers"],
            ["PackagePushRequest", "PackageVersionId", "PackageVersion", "MetadataPackageVersion", "PackagePushRequests"],
            ["PackagePushJob", "PackagePushRequestId", "PackagePushRequest", "PackagePushRequest", "PackagePushJobs"],
            ["PackagePushError", "PackagePushJobId", "PackagePushJob", "PackagePushJob", "PackagePushErrors"],
        ];
        foreach (var (child, field, relationship, parent, children) in expected.Select(e => (e[0], e[1], e[2], e[3], e[4])))
        {
            var reference = SObjectCatalog.Find(child)!.FindField(field)!;
            Assert.That(reference.ReferenceTo, Is.EqualTo(parent));
            Assert.That(reference.RelationshipName, Is.EqualTo(relationship));
            var back = SObjectCatalog.Find(parent)!.FindChildRelationship(children)!;
            Assert.That((back.ChildSObject, back.Field), Is.EqualTo((child, field)));
        }
    }

    [Test]
    public void Picklists_carry_the_documented_values_and_defaults()
    {
        var status = SObjectCatalog.PackagePushRequest.FindField("Status")!;
        Assert.That(status.PicklistValues.Select(v => v.Value), Is.EqualTo(new[] { "Canceled", "Created", "Failed", "In Progress", "Pending", "Succeeded" }));
        Assert.That(status.DefaultValue, Is.EqualTo("Created"));
        Assert.That(SObjectCatalog.PackageSubscriber.FindField("OrgStatus")!.PicklistValues.Select(v => v.Value), Is.EqualTo(new[] { "Active", "Demo", "Free", "Inactive", "Trial" }));
        Assert.That(SObjectCatalog.PackagePushError.FindField("ErrorType")!.PicklistValues, Has.Count.EqualTo(8));
        Assert.That(SObjectCatalog.MetadataPackage.FindField("PackageCategory")!.DefaultValue, Is.EqualTo("Package"));
        Assert.That(SObjectCatalog.PackageSubscriber.FindField("InstalledStatus")!.PicklistValues.Select(v => (v.Value, v.Label)), Is.EqualTo(new[] { ("i", "Installed"), ("u", "Uninstalled") }));
    }

    [Test]
    public void Only_requests_and_jobs_are_writable_and_nothing_is_deletable()
    {
        Assert.That(SObjectCatalog.All.Where(o => o.Createable).Select(o => o.Name), Is.EquivalentTo(new[] { "PackagePushRequest", "PackagePushJob" }));
        Assert.That(SObjectCatalog.All.Where(o => o.Updateable).Select(o => o.Name), Is.EquivalentTo(new[] { "PackagePushRequest", "PackagePushJob" }));
        Assert.That(SObjectCatalog.All.Any(o => o.Deletable), Is.False);
    }

    [Test]
    public void Server_owned_fields_are_not_writable_and_documented_non_filterable_fields_stay_so()
    {
        foreach (var type in new[] { SObjectCatalog.PackagePushRequest, SObjectCatalog.PackagePushJob })
        {
            foreach (var name in new[] { "StartTime", "EndTime", "DurationSeconds", "SystemModstamp", "Id" })
            {
                var field = type.FindField(name)!;
                Assert.That(field.Createable || field.Updateable, Is.False, $"{type.Name}.{name}");
            }

            Assert.That(type.FindField("DurationSeconds")!.Filterable, Is.False);
        }

        Assert.That(SObjectCatalog.PackagePushJob.FindField("Status")!.Updateable, Is.False);
        Assert.That(SObjectCatalog.PackagePushRequest.FindField("Status")!.Updateable, Is.True);
        Assert.That(SObjectCatalog.PackagePushError.FindField("ErrorMessage")!.Filterable, Is.False);
    }

    [Test]
    public void Fields_are_alphabetical_after_Id_as_the_WSDL_orders_them()
    {
        foreach (var type in SObjectCatalog.All)
        {
            var names = type.Fields.Skip(1).Select(f => f.Name).ToList();
            Assert.That(names, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), type.Name);
        }
    }

    [Test]
    public void Every_field_a_client_may_write_names_the_column_it_is_stored_in()
    {
        foreach (var type in SObjectCatalog.All)
        {
            foreach (var field in type.Fields)
            {
                var writable = (type.Createable && field.Createable) || (type.Updateable && field.Updateable);
                Assert.That(field.Column is not null, Is.EqualTo(writable), $"{type.Name}.{field.Name}");
            }
        }
    }
}
