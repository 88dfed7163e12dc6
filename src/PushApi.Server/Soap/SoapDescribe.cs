using PushApi.Core.Catalog;

namespace PushApi.Server.Soap;

/// <summary>
/// describeGlobal and describeSObject(s) results from the sObject catalog. Each result type has a
/// subset of Salesforce's elements in Salesforce's order, so clients generated from either WSDL read them.
/// </summary>
public static class SoapDescribe
{
    public static void WriteGlobal(SoapWriter w)
    {
        w.Start("result");
        w.Element("encoding", "UTF-8");
        w.Element("maxBatchSize", SoapService.MaxRecordsPerCall);
        foreach (var type in SObjectCatalog.All)
        {
            w.Start("sobjects");
            w.Element("activateable", false);
            w.Element("createable", type.Createable);
            w.Element("custom", false);
            w.Element("customSetting", false);
            w.Element("deletable", type.Deletable);
            w.Element("deprecatedAndHidden", false);
            w.Element("feedEnabled", false);
            w.Element("keyPrefix", type.KeyPrefix);
            w.Element("label", type.Label);
            w.Element("labelPlural", type.LabelPlural);
            w.Element("layoutable", false);
            w.Element("mergeable", false);
            w.Element("mruEnabled", false);
            w.Element("name", type.Name);
            w.Element("queryable", true);
            w.Element("replicateable", false);
            w.Element("retrieveable", true);
            w.Element("searchable", false);
            w.Element("triggerable", false);
            w.Element("undeletable", false);
            w.Element("updateable", type.Updateable);
            w.End();
        }

        w.End();
    }

    public static void WriteSObject(SoapWriter w, SObjectDescriptor type)
    {
        w.Start("result");
        w.Element("activateable", false);
        foreach (var child in type.ChildRelationships)
        {
            w.Start("childRelationships");
            w.Element("cascadeDelete", false);
            w.Element("childSObject", child.ChildSObject);
            w.Element("deprecatedAndHidden", false);
            w.Element("field", child.Field);
            w.Element("relationshipName", child.RelationshipName);
            w.Element("restrictedDelete", false);
            w.End();
        }

        w.Element("createable", type.Createable);
        w.Element("custom", false);
        w.Element("customSetting", false);
        w.Element("deletable", type.Deletable);
        w.Element("deprecatedAndHidden", false);
        w.Element("feedEnabled", false);
        foreach (var field in type.Fields)
        {
            WriteField(w, field);
        }

        w.Element("keyPrefix", type.KeyPrefix);
        w.Element("label", type.Label);
        w.Element("labelPlural", type.LabelPlural);
        w.Element("layoutable", false);
        w.Element("mergeable", false);
        w.Element("mruEnabled", false);
        w.Element("name", type.Name);
        w.Element("queryable", true);
        w.Element("replicateable", false);
        w.Element("retrieveable", true);
        w.Element("searchable", false);
        w.Element("triggerable", false);
        w.Element("undeletable", false);
        w.Element("updateable", type.Updateable);
        w.End();
    }

    private static void WriteField(SoapWriter w, FieldDescriptor field)
    {
        w.Start("fields");
        w.Element("aggregatable", field.Groupable);
        w.Element("autoNumber", false);
        w.Element("byteLength", field.Length * 3);
        w.Element("calculated", false);
        w.Element("caseSensitive", field.Type == FieldType.Id);
        w.Element("createable", field.Createable);
        w.Element("custom", false);
        w.Element("defaultedOnCreate", field.DefaultedOnCreate);
        w.Element("dependentPicklist", false);
        w.Element("deprecatedAndHidden", false);
        w.Element("digits", field.Digits);
        w.Element("filterable", field.Filterable);
        w.Element("groupable", field.Groupable);
        w.Element("idLookup", field.IdLookup);
        w.Element("label", field.Label);
        w.Element("length", field.Length);
        w.Element("name", field.Name);
        w.Element("nameField", field.Name == "Name");
        w.Element("nillable", field.Nillable);
        w.Element("permissionable", false);
        foreach (var value in field.PicklistValues)
        {
            w.Start("picklistValues");
            w.Element("active", true);
            w.Element("defaultValue", value.IsDefault);
            w.Element("label", value.Label);
            w.Element("value", value.Value);
            w.End();
        }

        w.Element("polymorphicForeignKey", false);
        w.Element("precision", 0);
        w.Element("queryByDistance", false);
        if (field.ReferenceTo is { } target)
        {
            w.Element("referenceTo", target);
        }

        if (field.RelationshipName is { } relationship)
        {
            w.Element("relationshipName", relationship);
        }

        w.Element("restrictedPicklist", field.RestrictedPicklist);
        w.Element("scale", 0);
        w.Element("soapType", field.Type.SoapType());
        w.Element("sortable", field.Sortable);
        w.Element("type", field.Type.DescribeName());
        w.Element("unique", false);
        w.Element("updateable", field.Updateable);
        w.End();
    }
}
