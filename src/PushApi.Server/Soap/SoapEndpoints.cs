using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Soap;

/// <summary>
/// The SOAP endpoints: <c>POST /services/Soap/c/{version}[/{orgId}]</c> (enterprise) and
/// <c>/services/Soap/u/…</c> (partner), and their WSDLs at <c>/services/wsdl/enterprise</c>,
/// <c>/services/wsdl/partner</c> and <c>?wsdl</c> on the endpoints. A call goes through the same
/// authentication, authorization policies and per-user limit as REST (its session read from the
/// envelope); every answer is XML, a response envelope or a fault, never a stack trace.
/// </summary>
public static class SoapEndpoints
{
    private static readonly ConcurrentDictionary<(string Api, string Location, string Version), byte[]> Wsdls = new();

    public static IServiceCollection AddSoapApi(this IServiceCollection services)
    {
        services.AddScoped<SoapSessionOperations>();
        services.AddScoped<SoapWriteOperations>();
        services.AddScoped<SoapReadOperations>();
        services.AddScoped<SoapService>();
        services.AddSingleton<IAuthorizationHandler, SoapOperationAuthorization>();
        services.AddAuthorizationBuilder().AddPolicy(SoapOperationRequirement.Policy, p => p.AddRequirements(new SoapOperationRequirement()));
        return services;
    }

    public static IEndpointRouteBuilder MapSoapApi(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (api, shape) in new[] { (SoapApi.Enterprise, SoapFaultShape.Enterprise), (SoapApi.Partner, SoapFaultShape.Partner) })
        {
            var session = new SoapSessionHeader(api);
            foreach (var path in new[] { $"/services/Soap/{api.PathLetter}/{{version}}", $"/services/Soap/{api.PathLetter}/{{version}}/{{orgId}}" })
            {
                endpoints.MapPost(path, (HttpContext context) => CallAsync(context, api))
                    .RequireAuthorization(SoapOperationRequirement.Policy)
                    .RequireRateLimiting(RateLimiting.PerUserPolicy)
                    .WithMetadata(shape, session)
                    .DisableAntiforgery().ExcludeFromDescription();
                endpoints.MapGet(path, (HttpContext context, string version) => context.Request.Query.ContainsKey("wsdl")
                        ? WsdlAsync(context, api, version)
                        : shape.WriteAsync(context, SoapFaultException.Client("SOAP calls are POSTed; GET this URL with ?wsdl for the WSDL.")))
                    .AllowAnonymous().WithMetadata(shape).ExcludeFromDescription();
            }

            endpoints.MapGet($"/services/wsdl/{api.Name}", (HttpContext context) => WsdlAsync(context, api, WsdlBuilder.Version))
                .AllowAnonymous().WithMetadata(shape).WithTags("SOAP").WithSummary($"The {api.Name} WSDL, pointing at this server.");
        }

        return endpoints;
    }

    /// <summary>Writes an XML answer: a response envelope, a fault or a WSDL.</summary>
    public static async Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static async Task CallAsync(HttpContext context, SoapApi api)
    {
        var request = await SoapRequest.OfAsync(context, api);
        var call = request.Require();
        var response = await context.RequestServices.GetRequiredService<SoapService>().ExecuteAsync(context, call, request.Version, context.RequestAborted);
        await WriteAsync(context, StatusCodes.Status200OK, response);
    }

    private static Task WsdlAsync(HttpContext context, SoapApi api, string version)
    {
        if (!ApiVersions.TryParse(version, out var parsed))
        {
            parsed = WsdlBuilder.Version;
        }

        var location = $"{context.Request.Scheme}://{context.Request.Host}";
        var wsdl = Wsdls.GetOrAdd((api.Name, location, parsed), key => Encoding.UTF8.GetBytes(WsdlBuilder.Build(api, key.Location, key.Version)));
        return WriteAsync(context, StatusCodes.Status200OK, wsdl);
    }
}
