using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Identity;
using PushApi.Core.Soql;
using PushApi.Server.Pipeline;

using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// <c>/sobjects</c>: global describe, an object's basic info and describe, and one record at a time —
/// create (201), retrieve (with <c>?fields=</c>), update (204). Object names are case-insensitive.
/// Nothing can be deleted, and the read-only objects can't be written (405).
/// </summary>
public static class SObjectEndpoints
{
    public static RouteGroupBuilder MapSObjectEndpoints(this RouteGroupBuilder data)
    {
        data.MapGet("/sobjects", (HttpContext context) =>
            new RestJsonResult(StatusCodes.Status200OK, writer => DescribeWriter.WriteGlobal(writer, context.ApiVersion())))
            .WithSummary("Global describe: every object.");
        data.MapGet("/sobjects/{type}", (string type, HttpContext context) =>
            Find(type) is { } descriptor
                ? new RestJsonResult(StatusCodes.Status200OK, writer => DescribeWriter.WriteBasicInfo(writer, descriptor, context.ApiVersion()))
                : RestWriter.NotFound())
            .WithSummary("An object's basic information.");
        data.MapGet("/sobjects/{type}/describe", (string type, HttpContext context) =>
            Find(type) is { } descriptor
                ? new RestJsonResult(StatusCodes.Status200OK, writer => DescribeWriter.WriteFull(writer, descriptor, context.ApiVersion()))
                : RestWriter.NotFound())
            .WithSummary("Describe an object: fields, picklists, relationships.");
        data.MapPost("/sobjects/{type}", CreateAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Create a record (PackagePushRequest, PackagePushJob).");
        data.MapGet("/sobjects/{type}/{id}", RetrieveAsync).WithSummary("Retrieve a record, optionally only ?fields=A,B.");
        data.MapPatch("/sobjects/{type}/{id}", UpdateAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Update a record: schedule (Status=Pending) or abort (Status=Canceled) a push request.");
        data.MapDelete("/sobjects/{type}/{id}", (string type) => Find(type) is { } descriptor ? MethodNotAllowed(descriptor, "DELETE") : RestWriter.NotFound())
            .WithSummary("Refused: no push object can be deleted.");
        return data;
    }

    public static SObjectDescriptor? Find(string type) => SObjectCatalog.Find(type);

    private static async Task<IResult> CreateAsync(string type, HttpContext context, DmlService dml)
    {
        if (Find(type) is not { } descriptor)
        {
            return RestWriter.NotFound();
        }

        if (!descriptor.Createable)
        {
            return MethodNotAllowed(descriptor, "POST");
        }

        var record = RestBody.Fields(await RestBody.ReadObjectAsync(context.Request, context.RequestAborted));
        var result = (await dml.CreateAsync(descriptor, [record], allOrNone: true, context.User.UserId(), context.RequestAborted))[0];
        if (result.Success)
        {
            // As Salesforce: the new record's url (composite subrequests pass it on in httpHeaders).
            context.Response.Headers.Location = RestWriter.RecordUrl(context.ApiVersion(), descriptor, result.Id!);
        }

        return result.Success
            ? new RestJsonResult(StatusCodes.Status201Created, writer => RestWriter.WriteSaveResult(writer, result))
            : RestWriter.Errors(StatusCodes.Status400BadRequest, result.Errors);
    }

    private static async Task<IResult> RetrieveAsync(string type, string id, string? fields, HttpContext context, SoqlEngine soql)
    {
        if (Find(type) is not { } descriptor)
        {
            return RestWriter.NotFound();
        }

        var fieldList = string.IsNullOrWhiteSpace(fields) ? null : fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var record = (await soql.RetrieveAsync(descriptor, [id], fieldList, context.User.SoqlCaller(), context.RequestAborted))[0];
        if (record is null)
        {
            return RestWriter.NotFound();
        }

        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer => RestWriter.WriteRecord(writer, record, version));
    }

    private static async Task<IResult> UpdateAsync(string type, string id, HttpContext context, DmlService dml)
    {
        if (Find(type) is not { } descriptor)
        {
            return RestWriter.NotFound();
        }

        if (!descriptor.Updateable)
        {
            return MethodNotAllowed(descriptor, "PATCH");
        }

        var record = RestBody.Fields(await RestBody.ReadObjectAsync(context.Request, context.RequestAborted));
        if (record.Keys.FirstOrDefault(k => string.Equals(k, "Id", StringComparison.OrdinalIgnoreCase)) is { } idKey)
        {
            // The URL names the record; an Id in the body is read-only, as on Salesforce.
            return RestWriter.Errors(StatusCodes.Status400BadRequest, [new Core.Errors.SaveError(Core.Errors.ErrorCodes.InvalidFieldForInsertUpdate, "Unable to create/update fields: Id. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", idKey)]);
        }

        record["Id"] = id;
        var result = (await dml.UpdateAsync(descriptor, [record], allOrNone: true, context.User.UserId(), context.RequestAborted))[0];
        if (result.Success)
        {
            return Results.NoContent();
        }

        return result.Errors is [{ StatusCode: Core.Errors.ErrorCodes.EntityIsDeleted or Core.Errors.ErrorCodes.MalformedId }]
            ? RestWriter.NotFound()
            : RestWriter.Errors(StatusCodes.Status400BadRequest, result.Errors);
    }

    private static RestJsonResult MethodNotAllowed(SObjectDescriptor type, string method) =>
        RestWriter.Error(StatusCodes.Status405MethodNotAllowed, "METHOD_NOT_ALLOWED", $"HTTP Method '{method}' not allowed. {type.Name} records can't be {(method == "DELETE" ? "deleted" : "written")} through the API.");
}
