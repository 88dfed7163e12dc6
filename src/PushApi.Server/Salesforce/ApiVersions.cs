using System.Globalization;

namespace PushApi.Server.Salesforce;

/// <summary>
/// The API versions PushApi answers on: every two-digit <c>NN.0</c> from 20.0 to 66.0 (the sf CLI
/// discards versions of any other shape). The objects are the same in every version.
/// </summary>
public static class ApiVersions
{
    public const int Oldest = 20;
    public const int Newest = 66;

    public static IEnumerable<int> All => Enumerable.Range(Oldest, Newest - Oldest + 1);

    /// <summary>Reads <c>v62.0</c> (REST paths) or <c>62.0</c> (SOAP and Bulk 1.0 paths).</summary>
    public static bool TryParse(string? text, out string version)
    {
        version = "";
        if (text is null)
        {
            return false;
        }

        var number = text.StartsWith('v') ? text[1..] : text;
        if (number.Length != 4 || !number.EndsWith(".0", StringComparison.Ordinal)
            || !int.TryParse(number.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || major < Oldest || major > Newest)
        {
            return false;
        }

        version = number;
        return true;
    }

    /// <summary>The release name Salesforce gives a version: 62.0 is Winter '25, 63.0 Spring '25, 64.0 Summer '25.</summary>
    public static string Label(int major)
    {
        var index = major - 62;
        var season = (((index % 3) + 3) % 3) switch
        {
            0 => "Winter",
            1 => "Spring",
            _ => "Summer",
        };
        var year = 25 + (int)Math.Floor(index / 3.0);
        return string.Create(CultureInfo.InvariantCulture, $"{season} '{year:D2}");
    }
}

/// <summary>The <c>{version}</c> of a Salesforce path, checked once per group and kept for its endpoints.</summary>
public static class ApiVersionFilter
{
    private const string VersionItem = "pushapi.api-version";

    /// <summary>Checks the route's <c>{version}</c>; an unknown one is answered with <paramref name="unknown"/>.</summary>
    public static RouteGroupBuilder RequireApiVersion(this RouteGroupBuilder group, Func<string?, IResult> unknown) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var sent = context.HttpContext.GetRouteValue("version") as string;
            if (!ApiVersions.TryParse(sent, out var version))
            {
                return unknown(sent);
            }

            context.HttpContext.Items[VersionItem] = version;
            return await next(context);
        });

    /// <summary>The version of the path (<c>62.0</c>), checked by the group's filter.</summary>
    public static string ApiVersion(this HttpContext context) => (string)context.Items[VersionItem]!;
}
