using PushApi.Core.Catalog;

namespace PushApi.Core.Tenants;

/// <summary>Picklist values of subscriber orgs that the rules refer to by name; the lists themselves live in the catalog.</summary>
public static class OrgStatuses
{
    public const string Active = "Active";
    public const string Inactive = "Inactive";

    public static FieldDescriptor Field => SObjectCatalog.PackageSubscriber.FindField("OrgStatus")!;
}

public static class OrgTypes
{
    public const string Production = "Production";
    public const string Sandbox = "Sandbox";

    public static FieldDescriptor Field => SObjectCatalog.PackageSubscriber.FindField("OrgType")!;
}

/// <summary>PackageSubscriber.InstalledStatus: <c>i</c> installed, <c>u</c> uninstalled.</summary>
public static class InstalledStatuses
{
    public const string Installed = "i";
    public const string Uninstalled = "u";
}
