using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using PushApi.Server.Admin;
using PushApi.Server.Rest;

namespace PushApi.Server.Hosting;

/// <summary>
/// Turns an exception that escaped an endpoint into the error its caller expects: a Salesforce error
/// array under <c>/services</c>, problem details everywhere else. Never a stack trace.
/// </summary>
public sealed class PushApiExceptionHandler(ILogger<PushApiExceptionHandler> logger, IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        if (context.Response.HasStarted)
        {
            logger.LogError(exception, "Error after the response started on {Method} {Path}", context.Request.Method, context.Request.Path);
            return true;
        }

        var transient = TransientDatabaseErrors.Matches(exception);
        if (transient)
        {
            logger.LogWarning("{Method} {Path} met a transient database failure ({Reason}); the client is asked to retry.", context.Request.Method, context.Request.Path, exception.Message);
        }

        if (Bulk.BulkQueryApi.IsBulkPath(context.Request.Path))
        {
            var (status, code, message) = Bulk.BulkQueryApi.Classify(exception);
            LogIfServerError(status, exception, context);
            Clear(context, transient);
            await Bulk.BulkQueryApi.WriteErrorAsync(context, status, code, message);
            return true;
        }

        if (RestErrors.IsSalesforcePath(context.Request.Path))
        {
            var (status, error) = RestErrorTable.Classify(exception);
            LogIfServerError(status, exception, context);
            Clear(context, transient);
            await RestErrors.WriteAsync(context, status, [error]);
            return true;
        }

        var problem = AdminErrors.ToProblem(exception);
        LogIfServerError(problem.Status ?? 500, exception, context);
        Clear(context, transient);
        context.Response.StatusCode = problem.Status ?? 500;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static void Clear(HttpContext context, bool transient)
    {
        context.Response.Clear();
        if (transient)
        {
            context.Response.Headers.RetryAfter = TransientDatabaseErrors.RetryAfterSeconds;
        }
    }

    private void LogIfServerError(int status, Exception exception, HttpContext context)
    {
        if (status >= 500 && status != StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
    }
}

/// <summary>
/// Database failures that say "try again", not "this request is wrong": a deadlock or serialization
/// failure (the transaction was rolled back whole), a lock not granted, the server restarting or out
/// of connections. They answer 503 with Retry-After instead of 500.
/// </summary>
public static class TransientDatabaseErrors
{
    public const string RetryAfterSeconds = "1";

    private static readonly HashSet<string> States = ["40P01", "40001", "55P03", "57P01", "57P03", "53300"];

    public static bool Matches(Exception exception) => exception switch
    {
        Npgsql.PostgresException e => States.Contains(e.SqlState),
        Npgsql.NpgsqlException e => e.IsTransient,
        TimeoutException => true,
        _ => exception.InnerException is { } inner && Matches(inner),
    };
}

/// <summary>Readable messages for requests the framework could not bind.</summary>
public static class BadRequests
{
    public static string Describe(BadHttpRequestException exception) => exception.InnerException switch
    {
        JsonException json => "The request body is not valid JSON: " + json.Message,
        _ => exception.Message,
    };
}

public static class ErrorHandlingExtensions
{
    /// <summary>
    /// Exceptions and empty error responses (unknown path, wrong method, wrong media type) get a body
    /// in the shape of the API that was called.
    /// </summary>
    public static WebApplication UsePushApiErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!RestErrors.IsSalesforcePath(http.Request.Path))
            {
                var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = http.Response.StatusCode };
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
                return;
            }

            if (Bulk.BulkQueryApi.IsBulkPath(http.Request.Path))
            {
                var (bulkCode, bulkMessage) = http.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => ("InvalidUrl", "The URI specified is invalid."),
                    StatusCodes.Status405MethodNotAllowed => ("InvalidOperation", $"HTTP method '{http.Request.Method}' is not allowed for this resource."),
                    _ => ("ClientInputError", "The request could not be handled."),
                };
                await Bulk.BulkQueryApi.WriteErrorAsync(http, http.Response.StatusCode, bulkCode, bulkMessage);
                return;
            }

            var (code, message) = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => (RestErrors.NotFound, "The requested resource does not exist"),
                StatusCodes.Status405MethodNotAllowed => ("METHOD_NOT_ALLOWED", $"HTTP Method '{http.Request.Method}' not allowed for this resource"),
                StatusCodes.Status415UnsupportedMediaType => ("UNSUPPORTED_MEDIA_TYPE", "The request's content type is not supported here; send application/json"),
                _ => ("UNKNOWN_EXCEPTION", "The request could not be handled"),
            };
            await RestErrors.WriteAsync(http, http.Response.StatusCode, code, message);
        });
        return app;
    }

    public static IServiceCollection AddPushApiErrorHandling(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Exceptions are never described to clients beyond the problem's own detail.
            context.ProblemDetails.Extensions.Remove("exception");
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
        });
        services.AddExceptionHandler<PushApiExceptionHandler>();
        return services;
    }
}
