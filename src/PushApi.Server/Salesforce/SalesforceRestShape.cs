using PushApi.Core.Errors;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Salesforce;

/// <summary>
/// Errors of the mirrored REST API (and of the OAuth endpoints and Bulk API 2.0 under it): always a
/// JSON array of <c>{message, errorCode}</c>, with the status and errorCode of each exception from this table.
/// </summary>
public sealed class SalesforceRestShape : IErrorShape
{
    public static readonly SalesforceRestShape Instance = new();

    public Task WriteUnauthenticatedAsync(HttpContext context) =>
        RestErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, RestErrors.InvalidSessionId, "Session expired or invalid");

    public Task WriteForbiddenAsync(HttpContext context) =>
        RestErrors.WriteAsync(context, StatusCodes.Status403Forbidden, RestErrors.InsufficientAccess, "Insufficient privileges: your user does not have the permission this operation needs.");

    public Task WriteRateLimitedAsync(HttpContext context)
    {
        // The same body every time, serialised once: a caller far over its limit costs no JSON writer a call.
        context.Response.Headers.RetryAfter = RateLimiting.RetryAfterSeconds;
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = RestErrors.ContentType;
        return context.Response.Body.WriteAsync(RateLimitedBody, context.RequestAborted).AsTask();
    }

    private static readonly byte[] RateLimitedBody = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
        new List<RestError> { new("TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED", null) }, RestJson.Options);

    public Task WriteStatusAsync(HttpContext context)
    {
        var (code, message) = context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => (RestErrors.NotFound, "The requested resource does not exist"),
            StatusCodes.Status405MethodNotAllowed => ("METHOD_NOT_ALLOWED", $"HTTP Method '{context.Request.Method}' not allowed for this resource"),
            StatusCodes.Status415UnsupportedMediaType => ("UNSUPPORTED_MEDIA_TYPE", "The request's content type is not supported here; send application/json"),
            _ => ("UNKNOWN_EXCEPTION", "The request could not be handled"),
        };
        return RestErrors.WriteAsync(context, context.Response.StatusCode, code, message);
    }

    public async Task<bool> WriteExceptionAsync(HttpContext context, Exception exception)
    {
        var (status, error) = Classify(exception);
        await RestErrors.WriteAsync(context, status, [error]);
        return status == StatusCodes.Status500InternalServerError;
    }

    /// <summary>The REST error table: each exception as a status and a Salesforce errorCode.</summary>
    public static (int Status, RestError Error) Classify(Exception exception) => exception switch
    {
        Core.Bulk.BulkException e => (BulkErrors.Status(e.Kind), new RestError(e.Message, e.ErrorCode)),
        Core.Soql.SoqlException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, e.ErrorCode)),
        RestInputException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, e.ErrorCode)),
        NotFoundException e => (StatusCodes.Status404NotFound, new RestError(e.Message, RestErrors.NotFound)),
        InputException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, ErrorCodes.InvalidOperation)),
        ConflictException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, ErrorCodes.DuplicateValue)),
        QueryTextException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, e.Parameter == "q" ? Core.Soql.SoqlException.MalformedQuery : Core.Soql.SoqlException.InvalidField)),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, new RestError("The request body is larger than this endpoint accepts.", "REQUEST_ENTITY_TOO_LARGE")),
        BadHttpRequestException e => (StatusCodes.Status400BadRequest, new RestError(BadRequests.Describe(e), RestErrors.JsonParserError)),
        System.Text.Json.JsonException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, RestErrors.JsonParserError)),
        _ when TransientDatabaseErrors.Matches(exception) =>
            (StatusCodes.Status503ServiceUnavailable, new RestError("The database is busy (a lock conflict or a restart); nothing was saved. Retry the request.", "SERVER_UNAVAILABLE")),
        _ => (StatusCodes.Status500InternalServerError, new RestError("An unexpected error occurred; it has been logged.", RestErrors.UnknownException)),
    };
}
