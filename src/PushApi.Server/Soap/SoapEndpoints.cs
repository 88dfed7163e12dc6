using System.Collections.Concurrent;
using System.Text;
using PushApi.Server.Hosting;
using PushApi.Server.Rest;

namespace PushApi.Server.Soap;

/// <summary>
/// The SOAP endpoints: <c>POST /services/Soap/c/{version}[/{orgId}]</c> (enterprise) and
/// <c>/services/Soap/u/…</c> (partner), and their WSDLs at <c>/services/wsdl/enterprise</c>,
/// <c>/services/wsdl/partner</c> and <c>?wsdl</c> on the endpoints. Every answer is XML: a response
/// envelope, or a fault (HTTP 500) for anything that goes wrong, never a stack trace.
/// </summary>
public static class SoapEndpoints
{
    private static readonly ConcurrentDictionary<(string Api, string Location, string Version), byte[]> Wsdls = new();

    public static IServiceCollection AddSoapApi(this IServiceCollection services)
    {
        services.AddSingleton<SoapRequestLimiter>();
        services.AddScoped<SoapService>();
        return services;
    }

    public static IEndpointRouteBuilder MapSoapApi(this IEndpointRouteBuilder endpoints)
    {
        foreach (var api in new[] { SoapApi.Enterprise, SoapApi.Partner })
        {
            foreach (var path in new[] { $"/services/Soap/{api.PathLetter}/{{version}}", $"/services/Soap/{api.PathLetter}/{{version}}/{{orgId}}" })
            {
                endpoints.MapPost(path, (HttpContext context, string version) => HandleAsync(context, api, version))
                    .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
                endpoints.MapGet(path, (HttpContext context, string version) => context.Request.Query.ContainsKey("wsdl")
                        ? WsdlAsync(context, api, version)
                        : WriteAsync(context, 500, SoapWriter.RenderFault(api, SoapFaultException.Client("SOAP calls are POSTed; GET this URL with ?wsdl for the WSDL."))))
                    .AllowAnonymous().ExcludeFromDescription();
            }

            endpoints.MapGet($"/services/wsdl/{api.Name}", (HttpContext context) => WsdlAsync(context, api, WsdlBuilder.Version))
                .AllowAnonymous().WithTags("SOAP").WithSummary($"The {api.Name} WSDL, pointing at this server.");
        }

        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, SoapApi api, string version)
    {
        var cancellationToken = context.RequestAborted;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SoapEndpoints));
        byte[] response;
        var status = StatusCodes.Status200OK;
        try
        {
            if (!ApiVersions.TryParse(version, out var parsed))
            {
                throw new SoapFaultException(SoapFaultCodes.UnsupportedApiVersion, $"Invalid Api version specified on URL: {version}");
            }

            var call = await SoapEnvelopeReader.ReadAsync(context.Request, api, cancellationToken);
            response = await context.RequestServices.GetRequiredService<SoapService>().ExecuteAsync(context, call, parsed, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (SoapFaultException fault)
        {
            status = StatusCodes.Status500InternalServerError;
            response = SoapWriter.RenderFault(api, fault);
        }
        catch (BadHttpRequestException e)
        {
            status = StatusCodes.Status500InternalServerError;
            response = SoapWriter.RenderFault(api, SoapFaultException.Client("The request could not be read: " + e.Message));
        }
        catch (Exception e) when (TransientDatabaseErrors.Matches(e))
        {
            logger.LogWarning("SOAP {Operation} met a transient database failure ({Reason}).", api.Name, e.Message);
            status = StatusCodes.Status500InternalServerError;
            context.Response.Headers.RetryAfter = TransientDatabaseErrors.RetryAfterSeconds;
            response = SoapWriter.RenderFault(api, new SoapFaultException(SoapFaultCodes.ServerUnavailable, "The database is busy (a lock conflict or a restart); nothing was saved. Retry the call."));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error in a SOAP call to the {Api} API", api.Name);
            status = StatusCodes.Status500InternalServerError;
            response = SoapWriter.RenderFault(api, new SoapFaultException(SoapFaultCodes.UnknownException, "An unexpected error occurred; it has been logged."));
        }

        await WriteAsync(context, status, response);
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

    private static async Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
