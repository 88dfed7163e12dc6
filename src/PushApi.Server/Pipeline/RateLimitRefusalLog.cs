using PushApi.Server.Telemetry;

namespace PushApi.Server.Pipeline;

/// <summary>
/// The log of the refusals made before routing (category <c>PushApi.RateLimit</c>, Information: a client's mistake).
/// A caller far over its limit is refused thousands of times a second, so they are summed: the first refusal after a
/// quiet second is logged at once, then at most one line a second says how many followed. Never the credential.
/// </summary>
public sealed partial class RateLimitRefusalLog(ILoggerFactory loggers, TimeProvider time)
{
    public const string Category = "PushApi.RateLimit";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = loggers.CreateLogger(Category);
    private long _pending;
    private long _lastLine = long.MinValue;

    public void Refused(HttpContext context)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var count = Interlocked.Increment(ref _pending);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastLine);
        if ((last != long.MinValue && time.GetElapsedTime(last, now) < Interval) || Interlocked.CompareExchange(ref _lastLine, now, last) != last)
        {
            return;
        }

        count = Interlocked.Exchange(ref _pending, 0);
        Summary(_logger, count, context.Request.Method, context.Request.Path.Value ?? "/", FrontEnds.Of(context.Request.Path), context.Connection.RemoteIpAddress?.ToString() ?? "-");
    }

    [LoggerMessage(EventId = 2101, EventName = "RateLimitRefusals", Level = LogLevel.Information,
        Message = "The per-user rate limit refused {Count} calls before routing; the latest {Method} {Path} ({FrontEnd}) from {ClientAddress}")]
    private static partial void Summary(ILogger logger, long count, string method, string path, string frontEnd, string clientAddress);
}
