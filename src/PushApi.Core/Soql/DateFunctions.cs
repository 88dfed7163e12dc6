namespace PushApi.Core.Soql;

/// <summary>
/// SOQL's date functions (<c>CALENDAR_YEAR(f)</c>, <c>DAY_ONLY(f)</c>, …) over dateTime fields, in UTC (Salesforce uses
/// the user's time zone; PushApi's users have none). All but <c>DAY_ONLY</c> give an integer; <c>DAY_ONLY</c> gives a date.
/// </summary>
internal static class DateFunctions
{
    /// <summary>The SQL of each function over a timestamptz expression (<c>{0}</c>), taken in UTC.</summary>
    private static readonly Dictionary<string, string> Sql = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CALENDAR_YEAR"] = "extract(year FROM {0} AT TIME ZONE 'UTC')::int",
        ["CALENDAR_QUARTER"] = "extract(quarter FROM {0} AT TIME ZONE 'UTC')::int",
        ["CALENDAR_MONTH"] = "extract(month FROM {0} AT TIME ZONE 'UTC')::int",
        ["DAY_IN_MONTH"] = "extract(day FROM {0} AT TIME ZONE 'UTC')::int",
        ["DAY_IN_WEEK"] = "(extract(dow FROM {0} AT TIME ZONE 'UTC')::int + 1)",
        ["DAY_IN_YEAR"] = "extract(doy FROM {0} AT TIME ZONE 'UTC')::int",
        ["HOUR_IN_DAY"] = "extract(hour FROM {0} AT TIME ZONE 'UTC')::int",
        ["WEEK_IN_MONTH"] = "((extract(day FROM {0} AT TIME ZONE 'UTC')::int - 1) / 7 + 1)",
        ["WEEK_IN_YEAR"] = "((extract(doy FROM {0} AT TIME ZONE 'UTC')::int - 1) / 7 + 1)",
        ["DAY_ONLY"] = "({0} AT TIME ZONE 'UTC')::date",
    };

    /// <summary>Functions Salesforce has that PushApi answers with MALFORMED_QUERY naming them.</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.OrdinalIgnoreCase)
    {
        "FISCAL_MONTH", "FISCAL_QUARTER", "FISCAL_YEAR", "CONVERTTIMEZONE", "CONVERTCURRENCY", "TOLABEL", "FORMAT", "GROUPING", "DISTANCE", "GEOLOCATION",
    };

    public static bool IsDateFunction(string name) => Sql.ContainsKey(name);

    public static bool IsUnsupported(string name) => Unsupported.Contains(name);

    /// <summary>Whether the function gives a date (DAY_ONLY) rather than an integer.</summary>
    public static bool GivesDate(string function) => string.Equals(function, "DAY_ONLY", StringComparison.OrdinalIgnoreCase);

    public static string Apply(string function, string column) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Sql[function], column);
}
