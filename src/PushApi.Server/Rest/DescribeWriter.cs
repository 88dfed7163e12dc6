using System.Text.Json;
using PushApi.Core.Catalog;
using PushApi.Core.Catalog.Describe;

using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// Describe results (global, basic info, full) as REST JSON, rendered from the describe model: its REST
/// properties in its order, null as JSON null and lists as arrays, empty ones included.
/// </summary>
public static class DescribeWriter
{
    public static void WriteGlobal(Utf8JsonWriter writer, string version) => WriteObject(writer, DescribeModel.Global, version);

    /// <summary><c>GET /sobjects/{type}</c>: the object's summary and no recent items.</summary>
    public static void WriteBasicInfo(Utf8JsonWriter writer, SObjectDescriptor type, string version)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("objectDescribe");
        WriteObject(writer, DescribeModel.DescribeGlobalSObjectResult.Of(type), version);
        writer.WriteStartArray("recentItems");
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteFull(Utf8JsonWriter writer, SObjectDescriptor type, string version) =>
        WriteObject(writer, DescribeModel.DescribeSObjectResult.Of(type), version);

    private static void WriteObject(Utf8JsonWriter writer, DescribedObject described, string version)
    {
        writer.WriteStartObject();
        foreach (var (property, value) in described.Values(DescribeWires.Rest))
        {
            writer.WritePropertyName(property.Name);
            WriteValue(writer, value, version);
        }

        // The links depend on the API version of the request, which the model does not know; "urls" sorts last.
        if (described.Source is SObjectDescriptor type)
        {
            WriteUrls(writer, type, version);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, DescribeValue value, string version)
    {
        switch (value)
        {
            case DescribeValue.Null:
                writer.WriteNullValue();
                break;
            case DescribeValue.Flag(var flag):
                writer.WriteBooleanValue(flag);
                break;
            case DescribeValue.Number(var number):
                writer.WriteNumberValue(number);
                break;
            case DescribeValue.Text(var text):
                writer.WriteStringValue(text);
                break;
            case DescribeValue.TextList(var texts):
                writer.WriteStartArray();
                foreach (var text in texts)
                {
                    writer.WriteStringValue(text);
                }

                writer.WriteEndArray();
                break;
            case DescribeValue.ObjectList(_, var items):
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteObject(writer, item, version);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"No JSON for a describe value {value.GetType().Name}.");
        }
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
}
