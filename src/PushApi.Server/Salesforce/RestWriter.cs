using System.Buffers;
using System.Globalization;
using System.Text.Json;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Soql;

namespace PushApi.Server.Salesforce;

/// <summary>
/// A response of the mirrored API written with a JSON writer into one buffer, then sent whole with its Content-Length
/// (the writer buffered the whole body before as well; now the answer needs no chunked framing).
/// </summary>
public sealed class RestJsonResult(int status, Action<Utf8JsonWriter> write) : IResult
{
    private const int InitialBufferBytes = 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = new ArrayBufferWriter<byte>(InitialBufferBytes);
        using (var writer = new Utf8JsonWriter(body, RestJson.WriterOptions))
        {
            write(writer);
        }

        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json;charset=UTF-8";
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, httpContext.RequestAborted);
    }
}

/// <summary>
/// Salesforce's JSON shapes: records with their <c>attributes</c>, query results, save results,
/// errors. Datetimes are written as <c>2025-01-31T21:00:00.000+0000</c>.
/// </summary>
public static class RestWriter
{
    public static string FormatDateTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);

    /// <summary>The Tooling API's resources sit under <c>tooling/</c> of a version (the <c>api</c> argument of the writers below).</summary>
    public const string ToolingApi = "tooling/";

    public static string RecordUrl(string version, SObjectDescriptor type, string id, string api = "") => $"/services/data/v{version}/{api}sobjects/{type.Name}/{id}";

    /// <summary>
    /// A query result. The Tooling API's (<paramref name="api"/> <see cref="ToolingApi"/>) also carries <c>size</c>,
    /// <c>queryLocator</c> and <c>entityTypeName</c>, and its URLs are under <c>tooling/</c>.
    /// </summary>
    public static void WriteQueryResult(Utf8JsonWriter writer, SoqlResult result, string version, string api = "", string? entityTypeName = null)
    {
        writer.WriteStartObject();
        if (api == ToolingApi)
        {
            writer.WriteNumber("size", result.TotalSize);
            writer.WriteString("queryLocator", result.NextLocator);
            writer.WriteString("entityTypeName", entityTypeName);
        }

        writer.WriteNumber("totalSize", result.TotalSize);
        writer.WriteBoolean("done", result.Done);
        if (result.NextLocator is not null)
        {
            writer.WriteString("nextRecordsUrl", $"/services/data/v{version}/{api}query/{result.NextLocator}");
        }

        writer.WriteStartArray("records");
        foreach (var record in result.Records)
        {
            WriteRecord(writer, record, version, api);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteRecord(Utf8JsonWriter writer, SoqlRecord record, string version, string api = "")
    {
        writer.WriteStartObject();
        writer.WriteStartObject("attributes");
        writer.WriteString("type", record.Type?.Name ?? "AggregateResult");
        if (record.Type is not null && record.Id is not null)
        {
            writer.WriteString("url", RecordUrl(version, record.Type, record.Id, api));
        }

        writer.WriteEndObject();
        foreach (var (name, value) in record.Fields)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value, version, api);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, string version, string api)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case decimal d:
                writer.WriteNumberValue(d);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case DateOnly day:
                writer.WriteStringValue(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case DateTimeOffset t:
                writer.WriteStringValue(FormatDateTime(t));
                break;
            case SoqlRecord parent:
                WriteRecord(writer, parent, version, api);
                break;
            case SoqlResult children:
                WriteQueryResult(writer, children, version, api);
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>A save result as sObject Collections and single creates return it: <c>{id, success, errors}</c>.</summary>
    public static void WriteSaveResult(Utf8JsonWriter writer, SaveResult result)
    {
        writer.WriteStartObject();
        if (result.Id is not null)
        {
            writer.WriteString("id", result.Id);
        }

        writer.WriteBoolean("success", result.Success);
        writer.WriteStartArray("errors");
        foreach (var error in result.Errors)
        {
            WriteItemError(writer, error);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>An error inside a composite result: <c>{statusCode, message, fields}</c>.</summary>
    public static void WriteItemError(Utf8JsonWriter writer, SaveError error)
    {
        writer.WriteStartObject();
        writer.WriteString("statusCode", error.StatusCode);
        writer.WriteString("message", Pipeline.ClientText.Clean(error.Message));
        writer.WriteStartArray("fields");
        foreach (var field in error.Fields)
        {
            writer.WriteStringValue(field);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Top-level errors of a failed call: <c>[{message, errorCode, fields}]</c>.</summary>
    public static RestJsonResult Errors(int status, IEnumerable<SaveError> errors) => new(status, writer =>
    {
        writer.WriteStartArray();
        foreach (var error in errors)
        {
            writer.WriteStartObject();
            writer.WriteString("message", Pipeline.ClientText.Clean(error.Message));
            writer.WriteString("errorCode", error.StatusCode);
            writer.WriteStartArray("fields");
            foreach (var field in error.Fields)
            {
                writer.WriteStringValue(field);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public static RestJsonResult Error(int status, string errorCode, string message) => new(status, writer =>
    {
        writer.WriteStartArray();
        writer.WriteStartObject();
        writer.WriteString("message", Pipeline.ClientText.Clean(message));
        writer.WriteString("errorCode", errorCode);
        writer.WriteEndObject();
        writer.WriteEndArray();
    });

    public static RestJsonResult NotFound() => Error(StatusCodes.Status404NotFound, RestErrors.NotFound, "The requested resource does not exist");
}
