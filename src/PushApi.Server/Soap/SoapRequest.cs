using PushApi.Server.Audit;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Soap;

/// <summary>
/// A SOAP call as the pipeline sees it: read once, by the authentication handler through
/// <see cref="SoapSessionHeader"/> (its session travels in the envelope), with the API version of its path. A call that could not be read keeps the fault that says
/// why; the endpoint answers with it, whether or not a session came along.
/// </summary>
public sealed class SoapRequest
{
    private SoapRequest(SoapApi api, string version, SoapCall? call, Exception? failure)
    {
        Api = api;
        Version = version;
        Call = call;
        Failure = failure;
    }

    public SoapApi Api { get; }

    /// <summary>The path's API version (<c>62.0</c>); empty when it is not one.</summary>
    public string Version { get; }

    public SoapCall? Call { get; }

    /// <summary>Why the call could not be read: a SOAP fault, or a request the server could not take.</summary>
    public Exception? Failure { get; }

    /// <summary>The operation (the Body's element), or null when the call could not be read.</summary>
    public string? Operation => Call?.Operation;

    /// <summary>The call, or the fault that stopped its reading.</summary>
    public SoapCall Require() => Call ?? throw Failure!;

    /// <summary>The request of this HTTP call, read now if authentication has not read it yet.</summary>
    public static async ValueTask<SoapRequest> OfAsync(HttpContext context, SoapApi api)
    {
        if (context.Features.Get<SoapRequest>() is { } read)
        {
            return read;
        }

        var request = await ReadAsync(context, api);
        context.Features.Set(request);
        NameAuditAction(context, request.Operation);
        return request;
    }

    /// <summary>A SOAP call's audit entry names its operation (<c>soap.update</c>); reads get none.</summary>
    private static void NameAuditAction(HttpContext context, string? operation)
    {
        if (operation is null)
        {
            return;
        }

        var trail = context.Audit();
        trail.Action = "soap." + operation;
        trail.Skip = SoapOperationRequirement.PermissionOf(operation) == Core.Identity.Permissions.Read || operation is "getUserInfo" or "getServerTimestamp";
    }

    private static async Task<SoapRequest> ReadAsync(HttpContext context, SoapApi api)
    {
        var sent = context.GetRouteValue("version") as string;
        if (!ApiVersions.TryParse(sent, out var version))
        {
            return new SoapRequest(api, "", null, new SoapFaultException(SoapFaultCodes.UnsupportedApiVersion, $"Invalid Api version specified on URL: {sent}"));
        }

        try
        {
            return new SoapRequest(api, version, await SoapEnvelopeReader.ReadAsync(context.Request, api, context.RequestAborted), null);
        }
        catch (Exception e) when (e is SoapFaultException or BadHttpRequestException)
        {
            return new SoapRequest(api, version, null, e);
        }
    }
}

/// <summary>The session of a SOAP call is in its envelope's SessionHeader: endpoint metadata for the one authentication handler.</summary>
public sealed class SoapSessionHeader(SoapApi api) : ISessionTokenSource
{
    private static readonly byte[] Element = "sessionId"u8.ToArray();

    public async ValueTask<string?> ReadTokenAsync(HttpContext context) => (await SoapRequest.OfAsync(context, api)).Call?.Headers.SessionId;

    /// <summary>
    /// The text of the first <c>sessionId</c> element start tag (any prefix, any attributes) in the envelope's first bytes,
    /// trimmed, as the envelope reader would find it for a plain envelope; null when there is none, or its text is not
    /// plain (an entity, CDATA, a comment: only the parser can say what it means).
    /// </summary>
    public string? ScanToken(ReadOnlySpan<byte> head)
    {
        for (var at = head.IndexOf(Element); at > 0; at = Next(head, at))
        {
            var open = head[at - 1];
            var after = head[(at + Element.Length)..];
            if ((open != (byte)'<' && open != (byte)':') || after.IsEmpty || !" \t\r\n>"u8.Contains(after[0]))
            {
                continue;
            }

            var close = after.IndexOf((byte)'>');
            if (close < 0 || (close > 0 && after[close - 1] == (byte)'/') || (open == (byte)':' && !OpensTag(head[..(at - 1)])))
            {
                return null;
            }

            var text = after[(close + 1)..];
            var end = text.IndexOf((byte)'<');
            if (end < 0 || text[..end].Contains((byte)'&'))
            {
                return null;
            }

            var token = System.Text.Encoding.UTF8.GetString(text[..end]).Trim();
            return token.Length > 0 ? token : null;
        }

        return null;
    }

    private static int Next(ReadOnlySpan<byte> head, int at)
    {
        var next = head[(at + 1)..].IndexOf(Element);
        return next < 0 ? -1 : at + 1 + next;
    }

    /// <summary>Whether the bytes before a prefixed name end in <c>&lt;prefix</c> (an element's start tag, not its end tag).</summary>
    private static bool OpensTag(ReadOnlySpan<byte> before)
    {
        var lt = before.LastIndexOf((byte)'<');
        return lt >= 0 && lt + 1 < before.Length && before[lt + 1] != (byte)'/' && before[(lt + 1)..].IndexOfAny(" \t\r\n>"u8) < 0;
    }
}
