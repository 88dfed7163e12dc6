using PushApi.Core.Catalog;
using PushApi.Core.Soql;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// The Tooling API's side of the package objects, which <c>sf package1 version list</c> and <c>display</c> (and
/// package managers) read: <c>tooling/query</c> (and its next pages) and <c>tooling/sobjects/{type}[/{id}|/describe]</c>
/// over MetadataPackage and MetadataPackageVersion, with the same SOQL engine, paging and row rules as <c>/query</c>.
/// Tooling results add <c>size</c>, <c>queryLocator</c> and <c>entityTypeName</c>; their URLs are under <c>tooling/</c>.
/// The push objects are not Tooling objects (INVALID_TYPE, as Salesforce answers); PackageUploadRequest (uploading a
/// version, <c>sf package1 version create</c>) is not served: versions are created with the native API.
/// </summary>
public static class ToolingEndpoints
{
    private static readonly SObjectDescriptor[] Objects = [SObjectCatalog.MetadataPackage, SObjectCatalog.MetadataPackageVersion];

    public static RouteGroupBuilder MapToolingEndpoints(this RouteGroupBuilder data)
    {
        data.MapGet("/tooling/query", QueryAsync).WithSummary("Tooling API: run a SOQL query over MetadataPackage or MetadataPackageVersion (q=…).");
        data.MapGet("/tooling/query/{locator}", QueryMoreAsync).WithSummary("Tooling API: the next page of a query, from its nextRecordsUrl.");
        data.MapGet("/tooling/sobjects/{type}/describe", (string type, HttpContext context) =>
            Find(type) is { } descriptor
                ? new RestJsonResult(StatusCodes.Status200OK, writer => DescribeWriter.WriteFull(writer, descriptor, context.ApiVersion()))
                : NotToolingObject(type))
            .WithSummary("Tooling API: describe MetadataPackage or MetadataPackageVersion.");
        data.MapGet("/tooling/sobjects/{type}/{id}", RetrieveAsync).WithSummary("Tooling API: one MetadataPackage or MetadataPackageVersion by id.");
        data.MapPost("/tooling/sobjects/{type}", (string type) => string.Equals(type, "PackageUploadRequest", StringComparison.OrdinalIgnoreCase)
                ? RestWriter.Error(StatusCodes.Status404NotFound, RestErrors.NotFound,
                    "PackageUploadRequest is not supported here: create a package version with POST /api/v1/packages/{id}/versions, or import its ZIP.")
                : Find(type) is { } descriptor ? RestWriter.Error(StatusCodes.Status405MethodNotAllowed, "METHOD_NOT_ALLOWED", $"HTTP Method 'POST' not allowed. {descriptor.Name} records can't be written through the API.")
                : NotToolingObject(type))
            .WithSummary("Tooling API: refused (the package objects are read-only; PackageUploadRequest is not served).");
        return data;
    }

    private static async Task<IResult> QueryAsync(string? q, HttpContext context, SoqlEngine soql)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, SoqlException.MalformedQuery, "A query string has to be specified");
        }

        var from = SoqlParser.Parse(q).From;
        if (Find(from) is not { } root)
        {
            return NotToolingObject(from);
        }

        var result = await soql.QueryAsync(q, context.User.SoqlCaller(), QueryEndpoints.BatchSize(context.Request), context.RequestAborted);
        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer => RestWriter.WriteQueryResult(writer, result, version, RestWriter.ToolingApi, root.Name));
    }

    private static async Task<IResult> QueryMoreAsync(string locator, HttpContext context, SoqlEngine soql)
    {
        var result = await soql.QueryMoreAsync(locator, context.User.SoqlCaller(), context.RequestAborted);
        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer => RestWriter.WriteQueryResult(writer, result, version, RestWriter.ToolingApi, (result.Records.Count > 0 ? result.Records[0].Type?.Name : null)));
    }

    private static async Task<IResult> RetrieveAsync(string type, string id, HttpContext context, SoqlEngine soql)
    {
        if (Find(type) is not { } descriptor)
        {
            return NotToolingObject(type);
        }

        var record = (await soql.RetrieveAsync(descriptor, [id], null, context.User.SoqlCaller(), context.RequestAborted))[0];
        if (record is null)
        {
            return RestWriter.NotFound();
        }

        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer => RestWriter.WriteRecord(writer, record, version, RestWriter.ToolingApi));
    }

    private static SObjectDescriptor? Find(string type) => Objects.FirstOrDefault(o => string.Equals(o.Name, type, StringComparison.OrdinalIgnoreCase));

    private static RestJsonResult NotToolingObject(string type) => RestWriter.Error(StatusCodes.Status400BadRequest, SoqlException.InvalidType,
        $"sObject type '{ClientText.Clean(type)}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.");
}
