using System.Text.Json;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Soql;
using PushApi.Server.Audit;
using PushApi.Server.Pipeline;

using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// Composite resources: <c>composite/tree/{SObject}</c> (up to 200 records, all or nothing, 201 or 400
/// listing only the failing reference ids) and <c>composite/sobjects</c> (create, update, retrieve by
/// ids; results in request order; <c>allOrNone</c> rolls everything back on one failure).
/// </summary>
public static class CompositeEndpoints
{
    public const int MaxRecords = Core.Catalog.Describe.DescribeModel.MaxBatchSize;

    public static RouteGroupBuilder MapCompositeEndpoints(this RouteGroupBuilder data)
    {
        data.MapPost("/composite/tree/{type}", TreeAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Create up to 200 records, all or nothing (sObject Tree).");
        data.MapPost("/composite/sobjects", CreateAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Create up to 200 records (sObject Collections).");
        data.MapPatch("/composite/sobjects", UpdateAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Update up to 200 records (sObject Collections).");
        data.MapPost("/composite/sobjects/{type}", RetrieveAsync).NotAudited().WithSummary("Retrieve up to 2,000 records by id (sObject Collections).");
        data.MapDelete("/composite/sobjects", DeleteAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Refused per record: no push object can be deleted.");
        return data;
    }

    private static async Task<IResult> TreeAsync(string type, HttpContext context, DmlService dml)
    {
        if (SObjectCatalog.Find(type) is not { } descriptor)
        {
            return RestWriter.NotFound();
        }

        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var records = RecordsOf(body);
        var referenceIds = new List<string>();
        var fields = new List<IReadOnlyDictionary<string, object?>>();
        var problems = new Dictionary<int, SaveError>();
        foreach (var (record, index) in records.Select((r, i) => (r, i)))
        {
            var referenceId = record.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object
                && attributes.TryGetProperty("referenceId", out var reference) && reference.ValueKind == JsonValueKind.String
                ? reference.GetString()! : "";
            referenceIds.Add(referenceId);
            if (referenceId.Length == 0)
            {
                problems[index] = new SaveError("INVALID_INPUT", "Include a reference ID for each record in the request.");
            }
            else if (referenceIds.IndexOf(referenceId) != index)
            {
                problems[index] = new SaveError("INVALID_INPUT", $"Duplicate ReferenceId provided in the request: {referenceId}");
            }
            else if (RestBody.AttributeType(record) is { } recordType && !string.Equals(recordType, descriptor.Name, StringComparison.OrdinalIgnoreCase))
            {
                problems[index] = new SaveError("INVALID_INPUT", $"The record type {recordType} does not match the type of the request, {descriptor.Name}.");
            }

            fields.Add(RestBody.Fields(record));
        }

        var results = problems.Count > 0
            ? fields.Select((_, i) => problems.TryGetValue(i, out var problem) ? SaveResult.Failed([problem]) : SaveResult.Failed([])).ToList()
            : [.. await dml.CreateAsync(descriptor, fields, allOrNone: true, context.User.UserId(), context.RequestAborted)];
        var hasErrors = results.Any(r => !r.Success);
        return new RestJsonResult(hasErrors ? StatusCodes.Status400BadRequest : StatusCodes.Status201Created, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("hasErrors", hasErrors);
            writer.WriteStartArray("results");
            for (var i = 0; i < results.Count; i++)
            {
                var result = results[i];

                // A failed tree lists only the records that failed themselves, not those rolled back with them.
                if (hasErrors && (result.Success || result.Errors.Count == 0 || result.Errors[0].StatusCode == ErrorCodes.AllOrNoneOperationRolledBack))
                {
                    continue;
                }

                writer.WriteStartObject();
                writer.WriteString("referenceId", referenceIds[i]);
                if (result.Success)
                {
                    writer.WriteString("id", result.Id);
                }
                else
                {
                    writer.WriteStartArray("errors");
                    foreach (var error in result.Errors)
                    {
                        RestWriter.WriteItemError(writer, error);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static Task<IResult> CreateAsync(HttpContext context, DmlService dml) =>
        WriteCollectionAsync(context, (type, records, allOrNone) => dml.CreateAsync(type, records, allOrNone, context.User.UserId(), context.RequestAborted), isCreate: true);

    private static Task<IResult> UpdateAsync(HttpContext context, DmlService dml) =>
        WriteCollectionAsync(context, (type, records, allOrNone) => dml.UpdateAsync(type, records, allOrNone, context.User.UserId(), context.RequestAborted), isCreate: false);

    private static async Task<IResult> WriteCollectionAsync(
        HttpContext context,
        Func<SObjectDescriptor, IReadOnlyList<IReadOnlyDictionary<string, object?>>, bool, Task<IReadOnlyList<SaveResult>>> write,
        bool isCreate)
    {
        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var records = RecordsOf(body);
        var allOrNone = body.TryGetProperty("allOrNone", out var flag) && flag.ValueKind == JsonValueKind.True;
        var types = records.Select(RestBody.AttributeType).ToList();
        if (types.Any(t => t is null))
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, "INVALID_INPUT", "Each record needs attributes.type, the name of its object.");
        }

        var descriptors = types.Select(t => SObjectCatalog.Find(t!)).ToList();
        if (descriptors.Any(d => d is null))
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidType, $"sObject type '{types[descriptors.FindIndex(d => d is null)]}' is not supported.");
        }

        if (descriptors.Distinct().Count() > 1)
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, "INVALID_INPUT", "PushApi takes records of one object per sObject Collections call.");
        }

        var fields = records.Select(RestBody.Fields).ToList();
        var descriptor = descriptors[0]!;
        IReadOnlyList<SaveResult> results = (isCreate ? descriptor.Createable : descriptor.Updateable)
            ? await write(descriptor, fields, allOrNone)
            : fields.Select(_ => SaveResult.Failed([new SaveError(ErrorCodes.InvalidTypeForOperation, $"entity type {descriptor.Name} does not support {(isCreate ? "insert" : "update")}")])).ToList();
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartArray();
            foreach (var result in results)
            {
                RestWriter.WriteSaveResult(writer, result);
            }

            writer.WriteEndArray();
        });
    }

    private static async Task<IResult> RetrieveAsync(string type, HttpContext context, SoqlEngine soql)
    {
        if (SObjectCatalog.Find(type) is not { } descriptor)
        {
            return RestWriter.NotFound();
        }

        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var ids = Strings(body, "ids");
        var fields = Strings(body, "fields");
        if (ids.Count == 0 || fields.Count == 0)
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, "INVALID_INPUT", "Both ids and fields are required.");
        }

        if (ids.Count > 2000)
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 2000 records into this call");
        }

        var records = await soql.RetrieveAsync(descriptor, ids, fields, context.User.SoqlCaller(), context.RequestAborted);
        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartArray();
            foreach (var record in records)
            {
                if (record is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    RestWriter.WriteRecord(writer, record, version);
                }
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>None of the push objects can be deleted: every id gets a failed result.</summary>
    private static RestJsonResult DeleteAsync(string? ids)
    {
        var list = (ids ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartArray();
            foreach (var id in list)
            {
                var type = Core.Ids.SalesforceId.TryParse(id, out var parsed) ? SObjectCatalog.FindByKeyPrefix(parsed.Prefix) : null;
                RestWriter.WriteSaveResult(writer, SaveResult.Failed(
                    [type is null
                        ? new SaveError(ErrorCodes.MalformedId, $"invalid id: {id}")
                        : new SaveError(ErrorCodes.InvalidTypeForOperation, $"entity type {type.Name} does not support delete")],
                    id));
            }

            writer.WriteEndArray();
        });
    }

    private static List<JsonElement> RecordsOf(JsonElement body)
    {
        if (!body.TryGetProperty("records", out var records) || records.ValueKind != JsonValueKind.Array)
        {
            throw new RestInputException(RestErrors.JsonParserError, "The body needs a records array.");
        }

        var list = records.EnumerateArray().ToList();
        if (list.Count == 0)
        {
            throw new RestInputException("INVALID_INPUT", "The records array is empty.");
        }

        return list.Count > MaxRecords
            ? throw new RestInputException("LIMIT_EXCEEDED", $"A call takes at most {MaxRecords} records; this one has {list.Count}.")
            : list;
    }

    private static List<string> Strings(JsonElement body, string property) =>
        body.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
}
