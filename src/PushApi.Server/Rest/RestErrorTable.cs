using PushApi.Core.Errors;
using PushApi.Server.Hosting;

namespace PushApi.Server.Rest;

/// <summary>The mirrored REST API's error table: each exception as a status and a Salesforce errorCode.</summary>
public static class RestErrorTable
{
    public static (int Status, RestError Error) Classify(Exception exception) => exception switch
    {
        Core.Bulk.BulkException e => (Bulk.BulkErrors.Status(e.Kind), new RestError(e.Message, e.ErrorCode)),
        Core.Soql.SoqlException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, e.ErrorCode)),
        RestInputException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, e.ErrorCode)),
        NotFoundException e => (StatusCodes.Status404NotFound, new RestError(e.Message, RestErrors.NotFound)),
        InputException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, Core.Errors.ErrorCodes.InvalidOperation)),
        ConflictException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, Core.Errors.ErrorCodes.DuplicateValue)),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, new RestError("The request body is larger than this endpoint accepts.", "REQUEST_ENTITY_TOO_LARGE")),
        BadHttpRequestException e => (StatusCodes.Status400BadRequest, new RestError(BadRequests.Describe(e), RestErrors.JsonParserError)),
        System.Text.Json.JsonException e => (StatusCodes.Status400BadRequest, new RestError(e.Message, RestErrors.JsonParserError)),
        _ when Hosting.TransientDatabaseErrors.Matches(exception) =>
            (StatusCodes.Status503ServiceUnavailable, new RestError("The database is busy (a lock conflict or a restart); nothing was saved. Retry the request.", "SERVER_UNAVAILABLE")),
        _ => (StatusCodes.Status500InternalServerError, new RestError("An unexpected error occurred; it has been logged.", RestErrors.UnknownException)),
    };
}
