using System.Net;

namespace PushApi.IntegrationTests.Fuzz;

/// <summary>
/// What no answer may be, whatever was sent: a server error (5xx), a .NET type name or a stack trace, or
/// a long error body. 503 with Retry-After is allowed: it is the service saying "busy, retry" (a lock
/// or a restart, docs/reliability.md R7/R20), the answer a client can act on. A SOAP fault travels as 500 by
/// SOAP 1.1; it is allowed unless its code is UNKNOWN_EXCEPTION, the service's "unexpected error".
/// </summary>
public static class FuzzOracle
{
    public const int MaxErrorBody = 20 * 1024;

    private static readonly string[] TypeNames = ["System.", "PushApi.", "Microsoft.", "Npgsql"];

    /// <summary>Null when the answer is acceptable, else what is wrong with it.</summary>
    public static string? Judge(HttpStatusCode status, bool hasRetryAfter, string? mediaType, string body)
    {
        var code = (int)status;
        var soapFault = mediaType == "text/xml" && body.Contains("faultcode>", StringComparison.Ordinal);
        if (code >= 500)
        {
            if (code == 503 && !hasRetryAfter)
            {
                return "503 without Retry-After";
            }

            if (code != 503 && !(code == 500 && soapFault))
            {
                return $"server error {code}";
            }

            if (soapFault && body.Contains("UNKNOWN_EXCEPTION", StringComparison.Ordinal))
            {
                return "SOAP fault UNKNOWN_EXCEPTION (an unexpected error)";
            }

            if (soapFault && body.Contains("SERVER_UNAVAILABLE", StringComparison.Ordinal) && !hasRetryAfter)
            {
                return "SERVER_UNAVAILABLE fault without Retry-After";
            }
        }

        if (TypeNames.FirstOrDefault(name => body.Contains(name, StringComparison.Ordinal)) is { } typeName)
        {
            return $"a .NET type name ({typeName}) in the body";
        }

        if (body.Contains("   at ", StringComparison.Ordinal))
        {
            return "a stack trace in the body";
        }

        return code >= 400 && body.Length >= MaxErrorBody ? $"an error body of {body.Length} characters" : null;
    }
}
