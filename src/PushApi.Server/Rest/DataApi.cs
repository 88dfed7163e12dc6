using PushApi.Core.Identity;
using PushApi.Server.Pipeline;
using PushApi.Server.Rest.Composite;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// The mirrored Salesforce REST data API under <c>/services/data</c>: discovery, sObjects, describe,
/// query and composite. Every version path from 20.0 to 66.0 works; others are 404 <c>NOT_FOUND</c>.
/// Every path but the version list needs a session.
/// </summary>
public static class DataApi
{
    private static readonly string[] ResourceNames = ["sobjects", "query", "queryAll", "composite", "jobs", "tooling", "limits"];

    public static IServiceCollection AddDataApi(this IServiceCollection services)
    {
        // Salesforce accepts gzip- and deflate-compressed request bodies (Content-Encoding); so do we.
        services.AddRequestDecompression();
        services.AddSingleton<CompositeSubrequests>();
        return services;
    }

    public static IEndpointRouteBuilder MapDataApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/services/data", ListVersions).AllowAnonymous().WithMetadata(SalesforceRestShape.Instance)
            .WithTags("Salesforce REST").WithSummary("The API versions served.");

        var data = endpoints.MapApiGroup("/services/data/{version}", SalesforceRestShape.Instance)
            .RequireAuthorization(Permissions.Read)
            .RequireRateLimiting(RateLimiting.PerUserPolicy)
            .RequireApiVersion(_ => RestWriter.NotFound())
            .WithTags("Salesforce REST");
        data.MapGet("/", Resources).WithSummary("The resources of a version.");
        data.MapSObjectEndpoints();
        data.MapReplicationEndpoints();
        data.MapLimitsEndpoint();
        data.MapQueryEndpoints();
        data.MapCompositeEndpoints();
        endpoints.ServiceProvider.GetRequiredService<CompositeSubrequests>().Route(endpoints);
        data.MapCompositeRequestEndpoint();
        data.MapCompositeBatchEndpoint();
        data.MapToolingEndpoints();
        data.Map("/{**path}", () => RestWriter.NotFound()).ExcludeFromDescription();
        return endpoints;
    }

    private static RestJsonResult ListVersions() => new(StatusCodes.Status200OK, writer =>
    {
        writer.WriteStartArray();
        foreach (var major in ApiVersions.All)
        {
            writer.WriteStartObject();
            writer.WriteString("label", ApiVersions.Label(major));
            writer.WriteString("url", $"/services/data/v{major}.0");
            writer.WriteString("version", $"{major}.0");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    private static RestJsonResult Resources(HttpContext context)
    {
        var root = $"/services/data/v{context.ApiVersion()}";
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            foreach (var resource in ResourceNames)
            {
                writer.WriteString(resource, $"{root}/{resource}");
            }

            writer.WriteEndObject();
        });
    }
}
