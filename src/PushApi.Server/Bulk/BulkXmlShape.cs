using System.Xml;
using PushApi.Core.Bulk;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Bulk;

/// <summary>Errors of Bulk API 1.0 (<c>/services/async</c>): XML <c>&lt;error&gt;</c> documents with an exceptionCode, as Salesforce answers them.</summary>
public sealed class BulkXmlShape : IErrorShape
{
    public static readonly BulkXmlShape Instance = new();

    public Task WriteUnauthenticatedAsync(HttpContext context) =>
        BulkXml.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "InvalidSessionId",
            context.Request.Headers.ContainsKey("X-SFDC-Session") ? "Invalid session id" : "Send the session id in the X-SFDC-Session header.");

    public Task WriteForbiddenAsync(HttpContext context) =>
        BulkXml.WriteErrorAsync(context, StatusCodes.Status403Forbidden, "InvalidUser", "Insufficient privileges: your user does not have the permission this operation needs.");

    public Task WriteRateLimitedAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RateLimiting.RetryAfterSeconds;
        return BulkXml.WriteErrorAsync(context, StatusCodes.Status403Forbidden, "ExceededQuota", "TotalRequests Limit exceeded.");
    }

    public Task WriteStatusAsync(HttpContext context)
    {
        var (code, message) = context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => ("InvalidUrl", "The URI specified is invalid."),
            StatusCodes.Status405MethodNotAllowed => ("InvalidOperation", $"HTTP method '{context.Request.Method}' is not allowed for this resource."),
            _ => ("ClientInputError", "The request could not be handled."),
        };
        return BulkXml.WriteErrorAsync(context, context.Response.StatusCode, code, message);
    }

    public async Task<bool> WriteExceptionAsync(HttpContext context, Exception exception)
    {
        var (status, code, message) = Classify(exception);
        await BulkXml.WriteErrorAsync(context, status, code, message);
        return status == StatusCodes.Status500InternalServerError;
    }

    /// <summary>The status and error of an exception that escaped a Bulk API 1.0 endpoint.</summary>
    public static (int Status, string Code, string Message) Classify(Exception exception) => exception switch
    {
        BulkException e => (BulkErrors.Status(e.Kind), e.ErrorCode, e.Message),
        XmlException e => (StatusCodes.Status400BadRequest, "InvalidXML", "The XML in the request body is invalid: " + e.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, "ClientInputError", "The request body is larger than this resource accepts."),
        BadHttpRequestException e => (StatusCodes.Status400BadRequest, "ClientInputError", e.Message),
        _ when TransientDatabaseErrors.Matches(exception) =>
            (StatusCodes.Status503ServiceUnavailable, "ServerUnavailable", "The database is busy (a lock conflict or a restart); nothing was saved. Retry the request."),
        _ => (StatusCodes.Status500InternalServerError, "InternalServerError", "An unexpected error occurred; it has been logged."),
    };
}
