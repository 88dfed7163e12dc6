using PushApi.Core.Identity;
using PushApi.Core.Soql;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Soap;

/// <summary>
/// Errors of a SOAP API: a fault envelope (HTTP 500) in the API's namespaces, with the typed fault of
/// each problem. A call that failed for the service's own reasons says only that it was logged.
/// </summary>
public sealed class SoapFaultShape(SoapApi api) : IErrorShape
{
    private readonly Lazy<byte[]> _rateLimited = new(() => SoapWriter.RenderFault(api, new SoapFaultException(SoapFaultCodes.RequestLimitExceeded, "TotalRequests Limit exceeded.")));

    public static readonly SoapFaultShape Enterprise = new(SoapApi.Enterprise);
    public static readonly SoapFaultShape Partner = new(SoapApi.Partner);

    public Task WriteUnauthenticatedAsync(HttpContext context) => WriteAsync(context, SoapFaultCodes.InvalidSession());

    public Task WriteForbiddenAsync(HttpContext context)
    {
        var operation = context.Features.Get<SoapRequest>()?.Operation ?? "";
        return WriteAsync(context, new SoapFaultException(SoapFaultCodes.InsufficientAccess, SoapOperationRequirement.PermissionOf(operation) == Permissions.PushUpgrade
            ? "Insufficient access: this user can't change push requests and jobs (needs PushUpgrade)."
            : "Insufficient access: this user can't read push data (needs Read)."));
    }

    public Task WriteRateLimitedAsync(HttpContext context)
    {
        // The refusal is the same envelope every time: rendered once, so a caller far over its limit costs no XML writer a call.
        context.Response.Headers.RetryAfter = RateLimiting.RetryAfterSeconds;
        Logging.RequestLog.MarkClientFault(context);
        return SoapEndpoints.WriteAsync(context, StatusCodes.Status500InternalServerError, _rateLimited.Value);
    }

    public Task WriteStatusAsync(HttpContext context) =>
        WriteAsync(context, SoapFaultException.Client($"The call could not be handled (HTTP {context.Response.StatusCode}); POST a SOAP 1.1 envelope."));

    public async Task<bool> WriteExceptionAsync(HttpContext context, Exception exception)
    {
        var (fault, unexpected) = Classify(exception);
        await WriteAsync(context, fault);
        return unexpected;
    }

    /// <summary>The SOAP error table: the fault of each exception, and whether it was unexpected.</summary>
    public static (SoapFaultException Fault, bool Unexpected) Classify(Exception exception) => exception switch
    {
        SoapFaultException fault => (fault, false),
        SoqlException e => (SoapFaultCodes.Query(e.ErrorCode, e.Message, e.Row, e.Column), false),
        BadHttpRequestException e => (SoapFaultException.Client("The request could not be read: " + e.Message), false),
        _ when TransientDatabaseErrors.Matches(exception) =>
            (new SoapFaultException(SoapFaultCodes.ServerUnavailable, "The database is busy (a lock conflict or a restart); nothing was saved. Retry the call."), false),
        _ => (new SoapFaultException(SoapFaultCodes.UnknownException, "An unexpected error occurred; it has been logged."), true),
    };

    /// <summary>Writes a fault: HTTP 500 as SOAP has it, logged as the client's unless the service failed.</summary>
    public Task WriteAsync(HttpContext context, SoapFaultException fault)
    {
        // SOAP answers every fault with HTTP 500; only the service's own failures are logged as errors.
        if (fault.ExceptionCode is not (SoapFaultCodes.UnknownException or SoapFaultCodes.ServerUnavailable))
        {
            Logging.RequestLog.MarkClientFault(context);
        }

        return SoapEndpoints.WriteAsync(context, StatusCodes.Status500InternalServerError, SoapWriter.RenderFault(api, fault));
    }
}
