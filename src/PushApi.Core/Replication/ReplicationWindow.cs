using System.Globalization;
using System.Text.RegularExpressions;

namespace PushApi.Core.Replication;

/// <summary>A refusal of a replication call, in Salesforce's words (<c>errorCode</c> and message).</summary>
public sealed record ReplicationError(string ErrorCode, string Message);

/// <summary>
/// The time span of <c>sobjects/{Type}/updated</c> and <c>/deleted</c> as Salesforce checks it: <c>start</c> and <c>end</c> are
/// ISO-8601 date-times (UTC unless an offset is given) cut to the minute, <c>start</c> precedes <c>end</c>, the span is at
/// most 30 days, and <c>start</c> is no more than 30 days before the day of the call.
/// </summary>
public sealed partial record ReplicationWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public const int MaxDays = 30;
    public const string InvalidReplicationDate = "INVALID_REPLICATION_DATE";
    public const string MissingArgument = "MISSING_ARGUMENT";

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd",
    ];

    /// <summary>Checks the two parameters against <paramref name="now"/>; exactly one of the results is set.</summary>
    public static (ReplicationWindow? Window, ReplicationError? Error) Parse(string? start, string? end, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(start) || string.IsNullOrWhiteSpace(end))
        {
            return (null, new ReplicationError(MissingArgument, $"{(string.IsNullOrWhiteSpace(start) ? "start" : "end")} not specified: both start and end are required (ISO 8601 date-times, e.g. 2026-12-01T00:00:00Z)"));
        }

        if (ReadDate(start) is not { } from)
        {
            return (null, Unparsable("start", start));
        }

        if (ReadDate(end) is not { } to)
        {
            return (null, Unparsable("end", end));
        }

        if (from >= to)
        {
            return (null, new ReplicationError(InvalidReplicationDate, "startDate must chronologically precede endDate"));
        }

        if (to - from > TimeSpan.FromDays(MaxDays))
        {
            return (null, new ReplicationError(InvalidReplicationDate, $"The time span from startDate to endDate may be at most {MaxDays} days"));
        }

        var earliest = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-MaxDays);
        return from < earliest
            ? (null, new ReplicationError(InvalidReplicationDate, $"startDate cannot be more than {MaxDays} days ago: the earliest start now is {earliest.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"))
            : (new ReplicationWindow(from, to), null);
    }

    /// <summary>A date-time cut to the minute, as Salesforce cuts it; an unescaped <c>+</c> of an offset that arrived as a space is read as <c>+</c>.</summary>
    private static DateTimeOffset? ReadDate(string text)
    {
        var trimmed = text.Trim();
        var normalised = CompactOffset().Replace(SpacedOffset().Replace(trimmed, "+$1"), "$1:$2");
        if (!DateTimeOffset.TryParseExact(normalised, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return null;
        }

        return new DateTimeOffset(value.Ticks - (value.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }

    private static ReplicationError Unparsable(string name, string value) =>
        new(InvalidReplicationDate, $"{name} is not a valid ISO 8601 date-time (e.g. 2026-12-01T00:00:00Z): '{value}'");

    [GeneratedRegex(@" (\d{2}:?\d{2})$")]
    private static partial Regex SpacedOffset();

    [GeneratedRegex(@"([+-]\d{2})(\d{2})$")]
    private static partial Regex CompactOffset();
}
