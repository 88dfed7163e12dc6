using System.Text.Json;
using PushApi.Core.Catalog;

using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>Describe results (global, basic info, full) written from the sObject catalog.</summary>
public static class DescribeWriter
{
    public static void WriteGlobal(Utf8JsonWriter writer, string version)
    {
        writer.WriteStartObject();
        writer.WriteString("encoding", "UTF-8");
        writer.WriteNumber("maxBatchSize", 200);
        writer.WriteStartArray("sobjects");
        foreach (var type in SObjectCatalog.All)
        {
            WriteSummary(writer, type, version);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary><c>GET /sobjects/{type}</c>: the object's summary and no recent items.</summary>
    public static void WriteBasicInfo(Utf8JsonWriter writer, SObjectDescriptor type, string version)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("objectDescribe");
        WriteSummary(writer, type, version);
        writer.WriteStartArray("recentItems");
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteFull(Utf8JsonWriter writer, SObjectDescriptor type, string version)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("actionOverrides");
        writer.WriteEndArray();
        writer.WriteBoolean("activateable", false);
        writer.WriteStartArray("childRelationships");
        foreach (var child in type.ChildRelationships)
        {
            writer.WriteStartObject();
            writer.WriteBoolean("cascadeDelete", false);
            writer.WriteString("childSObject", child.ChildSObject);
            writer.WriteBoolean("deprecatedAndHidden", false);
            writer.WriteString("field", child.Field);
            writer.WriteStartArray("junctionIdListNames");
            writer.WriteEndArray();
            writer.WriteStartArray("junctionReferenceTo");
            writer.WriteEndArray();
            writer.WriteString("relationshipName", child.RelationshipName);
            writer.WriteBoolean("restrictedDelete", false);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteFlags(writer, type);
        writer.WriteStartArray("fields");
        foreach (var field in type.Fields)
        {
            WriteField(writer, field);
        }

        writer.WriteEndArray();
        writer.WriteString("keyPrefix", type.KeyPrefix);
        writer.WriteString("label", type.Label);
        writer.WriteString("labelPlural", type.LabelPlural);
        writer.WriteString("name", type.Name);
        writer.WriteStartArray("recordTypeInfos");
        writer.WriteEndArray();
        writer.WriteStartArray("supportedScopes");
        writer.WriteEndArray();
        WriteUrls(writer, type, version);
        writer.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter writer, SObjectDescriptor type, string version)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("activateable", false);
        WriteFlags(writer, type);
        writer.WriteString("keyPrefix", type.KeyPrefix);
        writer.WriteString("label", type.Label);
        writer.WriteString("labelPlural", type.LabelPlural);
        writer.WriteString("name", type.Name);
        WriteUrls(writer, type, version);
        writer.WriteEndObject();
    }

    private static void WriteFlags(Utf8JsonWriter writer, SObjectDescriptor type)
    {
        writer.WriteBoolean("createable", type.Createable);
        writer.WriteBoolean("custom", false);
        writer.WriteBoolean("customSetting", false);
        writer.WriteBoolean("deletable", type.Deletable);
        writer.WriteBoolean("deprecatedAndHidden", false);
        writer.WriteBoolean("feedEnabled", false);
        writer.WriteBoolean("layoutable", false);
        writer.WriteBoolean("mergeable", false);
        writer.WriteBoolean("mruEnabled", false);
        writer.WriteBoolean("queryable", true);
        writer.WriteBoolean("replicateable", false);
        writer.WriteBoolean("retrieveable", true);
        writer.WriteBoolean("searchable", false);
        writer.WriteBoolean("triggerable", false);
        writer.WriteBoolean("undeletable", false);
        writer.WriteBoolean("updateable", type.Updateable);
    }

    private static void WriteUrls(Utf8JsonWriter writer, SObjectDescriptor type, string version)
    {
        var root = $"/services/data/v{version}/sobjects/{type.Name}";
        writer.WriteStartObject("urls");
        writer.WriteString("rowTemplate", root + "/{ID}");
        writer.WriteString("describe", root + "/describe");
        writer.WriteString("sobject", root);
        writer.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter writer, FieldDescriptor field)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("aggregatable", field.Groupable);
        writer.WriteBoolean("autoNumber", false);
        writer.WriteNumber("byteLength", field.Length * 3);
        writer.WriteBoolean("calculated", false);
        writer.WriteBoolean("caseSensitive", field.Type is FieldType.Id);
        writer.WriteBoolean("createable", field.Createable);
        writer.WriteBoolean("custom", false);
        if (field.DefaultValue is { } defaultValue)
        {
            writer.WriteString("defaultValue", defaultValue);
        }
        else if (field.Type == FieldType.Boolean && field.DefaultedOnCreate)
        {
            writer.WriteBoolean("defaultValue", false);
        }
        else
        {
            writer.WriteNull("defaultValue");
        }

        writer.WriteBoolean("defaultedOnCreate", field.DefaultedOnCreate);
        writer.WriteBoolean("dependentPicklist", false);
        writer.WriteNumber("digits", field.Digits);
        writer.WriteBoolean("externalId", false);
        writer.WriteBoolean("filterable", field.Filterable);
        writer.WriteBoolean("groupable", field.Groupable);
        writer.WriteBoolean("htmlFormatted", false);
        writer.WriteBoolean("idLookup", field.IdLookup);
        writer.WriteString("label", field.Label);
        writer.WriteNumber("length", field.Length);
        writer.WriteString("name", field.Name);
        writer.WriteBoolean("nameField", field.Name == "Name");
        writer.WriteBoolean("namePointing", false);
        writer.WriteBoolean("nillable", field.Nillable);
        writer.WriteBoolean("permissionable", false);
        writer.WriteStartArray("picklistValues");
        foreach (var value in field.PicklistValues)
        {
            writer.WriteStartObject();
            writer.WriteBoolean("active", true);
            writer.WriteBoolean("defaultValue", value.IsDefault);
            writer.WriteString("label", value.Label);
            writer.WriteNull("validFor");
            writer.WriteString("value", value.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("precision", 0);
        writer.WriteStartArray("referenceTo");
        if (field.ReferenceTo is not null)
        {
            writer.WriteStringValue(field.ReferenceTo);
        }

        writer.WriteEndArray();
        if (field.RelationshipName is null)
        {
            writer.WriteNull("relationshipName");
        }
        else
        {
            writer.WriteString("relationshipName", field.RelationshipName);
        }

        writer.WriteBoolean("restrictedPicklist", field.RestrictedPicklist);
        writer.WriteNumber("scale", 0);
        writer.WriteString("soapType", field.Type.SoapType());
        writer.WriteBoolean("sortable", field.Sortable);
        writer.WriteString("type", field.Type.DescribeName());
        writer.WriteBoolean("unique", false);
        writer.WriteBoolean("updateable", field.Updateable);
        writer.WriteEndObject();
    }
}
