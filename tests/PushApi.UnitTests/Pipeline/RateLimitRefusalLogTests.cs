using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PushApi.Server.Pipeline;

namespace PushApi.UnitTests.Pipeline;

/// <summary>The refusals before routing are logged as a sum, at most a line a second, never one a call.</summary>
public class RateLimitRefusalLogTests
{
    [Test]
    public void The_first_refusal_is_logged_then_at_most_one_line_a_second_with_the_count()
    {
        var clock = new SteppedClock();
        var lines = new List<string>();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(new ListProvider(lines)));
        var log = new RateLimitRefusalLog(loggers, clock);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/services/data/v62.0/query";
        context.Request.Headers.Authorization = "Bearer 00D!secret-token";

        log.Refused(context);
        for (var i = 0; i < 1799; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(0.5));
            log.Refused(context);
        }

        Assert.That(lines, Has.Count.EqualTo(1), "the first refusal, then nothing for the rest of the second");
        clock.Advance(TimeSpan.FromMilliseconds(200));
        log.Refused(context);

        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines[0], Does.Contain("refused 1 calls").And.Contain("GET /services/data/v62.0/query (rest)"));
        Assert.That(lines[1], Does.Contain("refused 1800 calls"));
        Assert.That(lines, Has.None.Contain("secret"));
    }

    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private sealed class ListProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add(formatter(state, exception));
    }
}
