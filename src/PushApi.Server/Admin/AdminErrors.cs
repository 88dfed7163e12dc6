using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using PushApi.Core.Errors;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;
using PushApi.Server.Hosting;

namespace PushApi.Server.Admin;

/// <summary>
/// The native API's error table: each domain exception becomes problem details (RFC 9457) with the
/// status that fits; anything unexpected is a 500 that says nothing of the internals.
/// </summary>
public static class AdminErrors
{
    public static ProblemDetails ToProblem(Exception exception)
    {
        var (status, title, detail, errors) = Classify(exception);
        return errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new ValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value)) { Status = status, Title = title, Detail = detail };
    }

    /// <summary>Writes a problem that has no exception behind it (authentication and authorization refusals).</summary>
    public static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail, string errorCode)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = { ["errorCode"] = errorCode } };
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static (int Status, string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors) Classify(Exception exception) => exception switch
    {
        NotFoundException e => (StatusCodes.Status404NotFound, "Not found", e.Message, null),
        ConflictException e => (StatusCodes.Status409Conflict, "Conflict", e.Message, null),
        InputException e => (StatusCodes.Status400BadRequest, "Invalid input", "One or more fields are invalid.", e.Errors),
        IllegalTransitionException e => (StatusCodes.Status409Conflict, "Illegal status change", e.Message, null),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, "Request body too large", "The request body is larger than this endpoint accepts.", null),
        BadHttpRequestException e => (StatusCodes.Status400BadRequest, "Bad request", BadRequests.Describe(e), null),
        JsonException e => (StatusCodes.Status400BadRequest, "Bad request", "The request body is not valid JSON: " + e.Message, null),
        _ when Hosting.TransientDatabaseErrors.Matches(exception) =>
            (StatusCodes.Status503ServiceUnavailable, "Database busy", "The database is busy (a lock conflict or a restart); nothing was saved. Retry the request.", null),
        _ => (StatusCodes.Status500InternalServerError, "Internal error", "The service failed to handle this request; the error has been logged.", null),
    };
}
