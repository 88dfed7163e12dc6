using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace PushApi.Server.Pipeline;

/// <summary>
/// Turns an exception that escaped an endpoint into the error its caller expects, through the
/// endpoint's <see cref="IErrorShape"/>. Never a stack trace; a client's mistake is not logged as a failure.
/// </summary>
public sealed class PushApiExceptionHandler(ILogger<PushApiExceptionHandler> logger, ErrorShapes shapes) : IExceptionHandler
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

        context.Response.Clear();
        exception = BadRequests.FromUnreadableBody(context, exception);
        if (TransientDatabaseErrors.Matches(exception))
        {
            logger.LogWarning("{Method} {Path} met a transient database failure ({Reason}); the client is asked to retry.", context.Request.Method, context.Request.Path, exception.Message);
            context.Response.Headers.RetryAfter = TransientDatabaseErrors.RetryAfterSeconds;
        }

        // The handler runs with the endpoint cleared; the feature keeps the one that threw.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        if (await shapes.For(context, endpoint).WriteExceptionAsync(context, exception))
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        }

        return true;
    }
}

/// <summary>
/// Database failures that say "try again", not "this request is wrong": a deadlock or serialization
/// failure (the transaction was rolled back whole), a lock not granted, the server restarting or out
/// of connections, or a statement stopped by the service's own <c>statement_timeout</c> (a lock held
/// elsewhere or a busy server; the bound per kind of work is <c>PushApi:Database</c>). A statement
/// canceled because its client went away is not one. Every shape answers them as "busy, retry" (503
/// with Retry-After where HTTP status counts).
/// </summary>
public static class TransientDatabaseErrors
{
    public const string RetryAfterSeconds = "1";

    // 57014 unwrapped is the server's own cancel: statement_timeout (or an administrator's pg_cancel_backend).
    private static readonly HashSet<string> States = ["40P01", "40001", "55P03", "57014", "57P01", "57P03", "53300"];

    public static bool Matches(Exception exception) => exception switch
    {
        Npgsql.PostgresException e => States.Contains(e.SqlState),
        Npgsql.NpgsqlException e => e.IsTransient,
        TimeoutException => true,
        // Npgsql wraps a cancellation its caller asked for (57014 "due to user request") in this; never "busy".
        OperationCanceledException => false,
        _ => exception.InnerException is { } inner && Matches(inner),
    };
}

/// <summary>Readable messages for requests the framework could not bind.</summary>
public static class BadRequests
{
    /// <summary>
    /// A compressed body that does not decompress (the decompressing stream throws <see cref="InvalidDataException"/>
    /// while an endpoint reads it) is the client's mistake: every front end answers it as a bad request, in its shape.
    /// </summary>
    public static Exception FromUnreadableBody(HttpContext context, Exception exception)
    {
        if (context.Items[RequestDecompressionExtensions.ContentEncodingItem] is not string encoding)
        {
            return exception;
        }

        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            // Brotli's decoder says "invalid data" with an InvalidOperationException of its own assembly.
            if (inner is InvalidDataException || (inner is InvalidOperationException && inner.Source == typeof(System.IO.Compression.BrotliStream).Assembly.GetName().Name))
            {
                return new BadHttpRequestException($"The request body is not valid {encoding} (Content-Encoding); nothing was read.", StatusCodes.Status400BadRequest, exception);
            }
        }

        return exception;
    }

    public static string Describe(BadHttpRequestException exception) => exception.InnerException switch
    {
        JsonException json => Describe(json),
        _ => exception.Message,
    };

    /// <summary>
    /// What is wrong with a JSON body, without the .NET type the serializer wanted ("could not be converted to
    /// System.Nullable`1[System.Boolean]" says nothing to a client and tells an attacker what runs here).
    /// </summary>
    public static string Describe(JsonException exception) =>
        exception.Message.Contains("System.", StringComparison.Ordinal) || exception.Message.Contains("PushApi.", StringComparison.Ordinal)
            ? $"The request body does not have the expected shape: the value at {exception.Path ?? "$"} is not of the type this API takes there."
            : "The request body is not valid JSON: " + exception.Message;
}

public static class ErrorHandlingExtensions
{
    public static IServiceCollection AddPushApiErrorHandling(this IServiceCollection services)
    {
        services.AddSingleton<ErrorShapes>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Exceptions are never described to clients beyond the problem's own detail.
            context.ProblemDetails.Extensions.Remove("exception");
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
        });
        services.AddExceptionHandler<PushApiExceptionHandler>();
        return services;
    }

    /// <summary>Exceptions and empty error responses (unknown path, wrong method, wrong media type) get a body in the shape of the API that was called.</summary>
    public static WebApplication UsePushApiErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            return http.RequestServices.GetRequiredService<ErrorShapes>().For(http).WriteStatusAsync(http);
        });
        return app;
    }
}
