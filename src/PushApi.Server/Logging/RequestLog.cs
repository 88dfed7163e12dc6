using System.Diagnostics;
using System.Security.Claims;
using PushApi.Server.Telemetry;

namespace PushApi.Server.Logging;

/// <summary>
/// One line per request (category <c>PushApi.Requests</c>): method, path (never the query string, which can carry SOQL
/// or tokens), status, duration, front end and user. Information for answers below 500, Error for a 5xx (the exception
/// itself is logged once, by the error pipeline); probes, metrics and the console's static files at Debug. A SOAP fault
/// is HTTP 500 whoever is at fault: one about the client's call (<see cref="MarkClientFault"/>) is logged as Information.
/// </summary>
public static partial class RequestLog
{
    public const string Category = "PushApi.Requests";

    private static readonly object ClientFaultKey = new();

    /// <summary>This 5xx answer is about the client's call (a SOAP fault such as INVALID_SESSION_ID), not a failure of the service.</summary>
    public static void MarkClientFault(HttpContext context) => context.Items[ClientFaultKey] = true;

    public static IApplicationBuilder UsePushApiRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                Write(logger, context, Stopwatch.GetElapsedTime(started));
            }
        });
    }

    private static void Write(ILogger logger, HttpContext context, TimeSpan elapsed)
    {
        var frontEnd = FrontEnds.Of(context.Request.Path);
        var status = context.Response.StatusCode;
        var level = status >= 500 && !context.Items.ContainsKey(ClientFaultKey) ? LogLevel.Error : frontEnd is FrontEnds.Ops or FrontEnds.Console ? LogLevel.Debug : LogLevel.Information;
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var user = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirstValue(ClaimTypes.Name) ?? "-" : "-";
        Answered(logger, level, context.Request.Method, context.Request.Path.Value ?? "/", status, Math.Round(elapsed.TotalMilliseconds, 1), frontEnd, user);
    }

    [LoggerMessage(EventId = 2001, EventName = "RequestAnswered", Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs} ms ({FrontEnd}, user {User})")]
    private static partial void Answered(ILogger logger, LogLevel level, string method, string path, int statusCode, double elapsedMs, string frontEnd, string user);
}
