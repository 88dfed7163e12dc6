using PushApi.Core.Soql;
using PushApi.Server.Pipeline;

using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// <c>/query?q=</c> and <c>/queryAll?q=</c> (with or without the trailing slash; <c>+</c> or <c>%20</c> for
/// spaces), <c>/query/{locator}</c> for the next page. Pages hold 2,000 records, or what
/// <c>Sforce-Query-Options: batchSize=N</c> asks (200 to 2,000).
/// </summary>
public static class QueryEndpoints
{
    public static RouteGroupBuilder MapQueryEndpoints(this RouteGroupBuilder data)
    {
        foreach (var resource in new[] { "/query", "/queryAll" })
        {
            data.MapGet(resource, QueryAsync).WithSummary("Run a SOQL query (q=…); the first page.");
            data.MapGet(resource + "/{locator}", QueryMoreAsync).WithSummary("The next page of a query, from its nextRecordsUrl.");
        }

        return data;
    }

    private static async Task<IResult> QueryAsync(string? q, HttpContext context, SoqlEngine soql)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, SoqlException.MalformedQuery, "A query string has to be specified");
        }

        var result = await soql.QueryAsync(q, context.User.SoqlCaller(), BatchSize(context.Request), context.RequestAborted);
        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer => RestWriter.WriteQueryResult(writer, result, version));
    }

    private static async Task<IResult> QueryMoreAsync(string locator, HttpContext context, SoqlEngine soql)
    {
        var result = await soql.QueryMoreAsync(locator, context.User.SoqlCaller(), context.RequestAborted);
        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer => RestWriter.WriteQueryResult(writer, result, version));
    }

    /// <summary>The batch size of <c>Sforce-Query-Options: batchSize=N</c>, or the default.</summary>
    public static int BatchSize(HttpRequest request)
    {
        foreach (var option in request.Headers["Sforce-Query-Options"].ToString().Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = option.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && string.Equals(parts[0], "batchSize", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var size))
            {
                return size;
            }
        }

        return SoqlEngine.DefaultBatchSize;
    }
}
