using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PushApi.Core.Errors;

namespace PushApi.Core.Governance.Windows;

/// <summary>A tenant's maintenance window as a client sends it: an IANA time zone, the days it opens on, and local <c>HH:mm</c> start and end.</summary>
public sealed record MaintenanceWindowInput(string? TimeZone, IReadOnlyList<string>? Days, string? Start, string? End);

/// <summary>
/// When a tenant may be upgraded: on each of <see cref="Days"/>, from <see cref="Start"/> to <see cref="End"/> local
/// time in <see cref="TimeZone"/>. A window whose end is before its start crosses midnight (22:00–04:00) and belongs to
/// the day it opens. How clock changes are handled is <see cref="WindowSchedule"/>'s business.
/// </summary>
public sealed record MaintenanceWindow(string TimeZone, IReadOnlyList<DayOfWeek> Days, TimeOnly Start, TimeOnly End)
{
    /// <summary>The field names in error keys of the native API.</summary>
    public const string Field = "maintenanceWindow";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>Whether the window ends on the day after it opens.</summary>
    public bool CrossesMidnight => End < Start;

    /// <summary>The window as the API shows it: day names in week order, times as <c>HH:mm</c>.</summary>
    public MaintenanceWindowInput ToInput() => new(TimeZone, [.. Days.Select(d => d.ToString())], Format(Start), Format(End));

    /// <summary>The stored form (a JSON object, the same shape the API shows).</summary>
    public string ToJson() => JsonSerializer.Serialize(ToInput(), Json);

    /// <summary>
    /// A stored window, read as it was checked when written; null when it is missing or unreadable. The time zone is
    /// not looked up here: a zone the host no longer knows must not make the tenant unreadable (see <see cref="StateAt"/>).
    /// </summary>
    public static MaintenanceWindow? FromJson(string? json)
    {
        var input = json is null ? null : JsonSerializer.Deserialize<MaintenanceWindowInput>(json, Json);
        var days = input?.Days is { } names ? names.Select(ParseDay).ToList() : [.. Enum.GetValues<DayOfWeek>().Select(d => (DayOfWeek?)d)];
        return input?.TimeZone is { } zone && days is not null && days.All(d => d is not null) && ParseTime(input.Start) is { } start && ParseTime(input.End) is { } end
            ? new MaintenanceWindow(zone, [.. days.Select(d => d!.Value)], start, end)
            : null;
    }

    /// <summary>
    /// Where this window stands at an instant (<see cref="WindowSchedule.At"/>); a window whose time zone the host no
    /// longer knows counts as always open, so its jobs run rather than wait for ever.
    /// </summary>
    public WindowState StateAt(DateTimeOffset at)
    {
        try
        {
            return WindowSchedule.At(this, at);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return new WindowState(true, default);
        }
    }

    /// <summary>Checks a window and gives it typed; every problem is a 400 naming its field (<c>maintenanceWindow.timeZone</c> and so on).</summary>
    public static MaintenanceWindow Parse(MaintenanceWindowInput input, string field = Field)
    {
        var errors = Check(input, field);
        if (errors.Count > 0)
        {
            throw new InputException(errors.ToDictionary(e => e.Key, e => new[] { e.Value }));
        }

        var days = input.Days is null ? Enum.GetValues<DayOfWeek>() : input.Days.Select(d => ParseDay(d)!.Value).Distinct().Order().ToArray();
        return new MaintenanceWindow(TimeZoneInfo.FindSystemTimeZoneById(input.TimeZone!.Trim()).Id, days, ParseTime(input.Start)!.Value, ParseTime(input.End)!.Value);
    }

    /// <summary>The problems of a window, by field; empty when it is valid.</summary>
    public static Dictionary<string, string> Check(MaintenanceWindowInput input, string field = Field)
    {
        var prefix = field.Length == 0 ? "" : field + ".";
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(input.TimeZone) || !TryZone(input.TimeZone.Trim(), out _))
        {
            errors[prefix + "timeZone"] = $"timeZone must be an IANA time zone such as Europe/Berlin or America/New_York{(string.IsNullOrWhiteSpace(input.TimeZone) ? "" : $", not '{input.TimeZone}'")}.";
        }

        if (input.Days is { Count: 0 })
        {
            errors[prefix + "days"] = "days must name at least one day (leave it out for every day).";
        }
        else if (input.Days?.FirstOrDefault(d => ParseDay(d) is null) is { } unknown)
        {
            errors[prefix + "days"] = $"'{unknown}' is not a day; use Monday … Sunday or Mon … Sun.";
        }

        var start = ParseTime(input.Start);
        var end = ParseTime(input.End);
        if (start is null)
        {
            errors[prefix + "start"] = "start must be a local time as HH:mm (00:00 to 23:59).";
        }

        if (end is null)
        {
            errors[prefix + "end"] = "end must be a local time as HH:mm (00:00 to 23:59).";
        }
        else if (start == end)
        {
            errors[prefix + "end"] = "end must differ from start (an end before the start crosses midnight).";
        }

        return errors;
    }

    private static bool TryZone(string id, out TimeZoneInfo? zone)
    {
        // Only IANA names: a Windows name ("W. Europe Standard Time") may resolve on some hosts and not on others.
        zone = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) && found.HasIanaId ? found : null;
        return zone is not null;
    }

    private static DayOfWeek? ParseDay(string? name)
    {
        var text = name?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length < 3)
        {
            return null;
        }

        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var full = day.ToString();
            if (string.Equals(full, text, StringComparison.OrdinalIgnoreCase) || (text.Length == 3 && string.Equals(full[..3], text, StringComparison.OrdinalIgnoreCase)))
            {
                return day;
            }
        }

        return null;
    }

    private static TimeOnly? ParseTime(string? text) =>
        TimeOnly.TryParseExact(text?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : null;

    private static string Format(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);
}
