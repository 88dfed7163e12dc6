using static PushApi.Core.Catalog.Describe.DescribeWires;
using static PushApi.Core.Catalog.Describe.Occurs;

namespace PushApi.Core.Catalog.Describe;

/// <summary>
/// The describe results (describeGlobal, describeSObject, REST's <c>/sobjects</c> and <c>/describe</c>) as
/// one table per result type, read from the sObject catalog. REST renders them as JSON, SOAP as elements
/// and the WSDL as schema types. Properties are in Salesforce's order, which is ordinal alphabetical.
/// Some properties are on one wire only: REST's JSON has a few that Salesforce's WSDL types leave out
/// (and that have no schema type here), and the WSDL types a few that the REST JSON has never carried.
/// </summary>
public static class DescribeModel
{
    /// <summary>The most records one create, update or delete call takes, on either API.</summary>
    public const int MaxBatchSize = 200;

    // Types that another type extends come first: static fields initialise in the order they are written.
    public static readonly DescribeType<SObjectDescriptor> DescribeGlobalSObjectResult = new(nameof(DescribeGlobalSObjectResult),
    [
        new("activateable", "xsd:boolean", Once, Both, _ => false),
        new("createable", "xsd:boolean", Once, Both, t => t.Createable),
        new("custom", "xsd:boolean", Once, Both, _ => false),
        new("customSetting", "xsd:boolean", Once, Both, _ => false),
        new("deletable", "xsd:boolean", Once, Both, t => t.Deletable),
        new("deprecatedAndHidden", "xsd:boolean", Once, Both, _ => false),
        new("feedEnabled", "xsd:boolean", Once, Both, _ => false),
        new("keyPrefix", "xsd:string", Nillable, Both, t => t.KeyPrefix),
        new("label", "xsd:string", Once, Both, t => t.Label),
        new("labelPlural", "xsd:string", Once, Both, t => t.LabelPlural),
        new("layoutable", "xsd:boolean", Once, Both, _ => false),
        new("mergeable", "xsd:boolean", Once, Both, _ => false),
        new("mruEnabled", "xsd:boolean", Once, Both, _ => false),
        new("name", "xsd:string", Once, Both, t => t.Name),
        new("queryable", "xsd:boolean", Once, Both, _ => true),
        new("replicateable", "xsd:boolean", Once, Both, t => SObjectCatalog.IsReplicateable(t)),
        new("retrieveable", "xsd:boolean", Once, Both, _ => true),
        new("searchable", "xsd:boolean", Once, Both, _ => false),
        new("triggerable", "xsd:boolean", Once, Both, _ => false),
        new("undeletable", "xsd:boolean", Once, Both, _ => false),
        new("updateable", "xsd:boolean", Once, Both, t => t.Updateable),
    ]);

    public static readonly DescribeType<IReadOnlyList<SObjectDescriptor>> DescribeGlobalResult = new(nameof(DescribeGlobalResult),
    [
        new("encoding", "xsd:string", Nillable, Both, _ => "UTF-8"),
        new("maxBatchSize", "xsd:int", Once, Both, _ => MaxBatchSize),
        new("sobjects", "tns:DescribeGlobalSObjectResult", Many, Both, all => DescribeGlobalSObjectResult.ListOf(all)),
    ]);

    public static readonly DescribeType<Catalog.ChildRelationship> ChildRelationship = new(nameof(ChildRelationship),
    [
        new("cascadeDelete", "xsd:boolean", Once, Both, _ => false),
        new("childSObject", "xsd:string", Once, Both, c => c.ChildSObject),
        new("deprecatedAndHidden", "xsd:boolean", Once, Both, _ => false),
        new("field", "xsd:string", Once, Both, c => c.Field),
        new("junctionIdListNames", "xsd:string", NillableMany, Both, _ => new DescribeValue.TextList([])),
        new("junctionReferenceTo", "xsd:string", NillableMany, Both, _ => new DescribeValue.TextList([])),
        new("relationshipName", "xsd:string", Optional, Both, c => c.RelationshipName),
        new("restrictedDelete", "xsd:boolean", Optional, Both, _ => false),
    ]);

    public static readonly DescribeType<PicklistValue> PicklistEntry = new(nameof(PicklistEntry),
    [
        new("active", "xsd:boolean", Once, Both, _ => true),
        new("defaultValue", "xsd:boolean", Once, Both, v => v.IsDefault),
        new("label", "xsd:string", Nillable, Both, v => v.Label),
        new("validFor", "xsd:base64Binary", Optional, Both, _ => null),
        new("value", "xsd:string", Once, Both, v => v.Value),
    ]);

    public static readonly DescribeType<FieldDescriptor> Field = new(nameof(Field),
    [
        new("aggregatable", "xsd:boolean", Once, Both, f => f.Groupable),
        new("autoNumber", "xsd:boolean", Once, Both, _ => false),
        new("byteLength", "xsd:int", Once, Both, f => f.Length * 3),
        new("calculated", "xsd:boolean", Once, Both, _ => false),
        new("caseSensitive", "xsd:boolean", Once, Both, f => f.Type == FieldType.Id),
        new("createable", "xsd:boolean", Once, Both, f => f.Createable),
        new("custom", "xsd:boolean", Once, Both, _ => false),
        new("defaultValue", null, Once, Rest, DefaultValue),
        new("defaultedOnCreate", "xsd:boolean", Once, Both, f => f.DefaultedOnCreate),
        new("dependentPicklist", "xsd:boolean", Once, Both, _ => false),
        new("deprecatedAndHidden", "xsd:boolean", Once, Soap, _ => false),
        new("digits", "xsd:int", Once, Both, f => f.Digits),
        new("externalId", null, Once, Rest, _ => false),
        new("filterable", "xsd:boolean", Once, Both, f => f.Filterable),
        new("groupable", "xsd:boolean", Once, Both, f => f.Groupable),
        new("htmlFormatted", null, Once, Rest, _ => false),
        new("idLookup", "xsd:boolean", Once, Both, f => f.IdLookup),
        new("label", "xsd:string", Once, Both, f => f.Label),
        new("length", "xsd:int", Once, Both, f => f.Length),
        new("name", "xsd:string", Once, Both, f => f.Name),
        new("nameField", "xsd:boolean", Once, Both, f => f.Name == "Name"),
        new("namePointing", null, Once, Rest, _ => false),
        new("nillable", "xsd:boolean", Once, Both, f => f.Nillable),
        new("permissionable", "xsd:boolean", Once, Both, _ => false),
        new("picklistValues", "tns:PicklistEntry", NillableMany, Both, f => PicklistEntry.ListOf(f.PicklistValues)),
        new("polymorphicForeignKey", "xsd:boolean", Once, Soap, _ => false),
        new("precision", "xsd:int", Once, Both, _ => 0),
        new("queryByDistance", "xsd:boolean", Once, Soap, _ => false),
        new("referenceTo", "xsd:string", NillableMany, Both, f => new DescribeValue.TextList(f.ReferenceTo is { } target ? [target] : [])),
        new("relationshipName", "xsd:string", Optional, Both, f => f.RelationshipName),
        new("restrictedPicklist", "xsd:boolean", Once, Both, f => f.RestrictedPicklist),
        new("scale", "xsd:int", Once, Both, _ => 0),
        new("soapType", "tns:soapType", Once, Both, f => f.Type.SoapType()),
        new("sortable", "xsd:boolean", Optional, Both, f => f.Sortable),
        new("type", "tns:fieldType", Once, Both, f => f.Type.DescribeName()),
        new("unique", "xsd:boolean", Once, Both, _ => false),
        new("updateable", "xsd:boolean", Once, Both, f => f.Updateable),
    ]);

    /// <summary>The full describe of an object: its global summary and what only the full describe has.</summary>
    public static readonly DescribeType<SObjectDescriptor> DescribeSObjectResult = DescribeGlobalSObjectResult.Extend(nameof(DescribeSObjectResult),
    [
        new("actionOverrides", null, Many, Rest, _ => new DescribeValue.TextList([])),
        new("childRelationships", "tns:ChildRelationship", Many, Both, t => ChildRelationship.ListOf(t.ChildRelationships)),
        new("fields", "tns:Field", NillableMany, Both, t => Field.ListOf(t.Fields)),
        new("recordTypeInfos", null, Many, Rest, _ => new DescribeValue.TextList([])),
        new("supportedScopes", null, Many, Rest, _ => new DescribeValue.TextList([])),
    ]);

    /// <summary>Every result type, in the order the WSDL declares them.</summary>
    public static IReadOnlyList<DescribeType> All { get; } =
        [DescribeGlobalSObjectResult, DescribeGlobalResult, ChildRelationship, PicklistEntry, Field, DescribeSObjectResult];

    /// <summary>The global describe: every object of the catalog.</summary>
    public static DescribedObject Global => DescribeGlobalResult.Of(SObjectCatalog.All);

    /// <summary>
    /// REST's <c>defaultValue</c>: a picklist's default, <c>false</c> for a checkbox the server fills in, and
    /// otherwise null. (The SOAP Field type has no defaultValue element.)
    /// </summary>
    private static DescribeValue? DefaultValue(FieldDescriptor field) => field switch
    {
        { DefaultValue: { } value } => value,
        { Type: FieldType.Boolean, DefaultedOnCreate: true } => false,
        _ => null,
    };
}
