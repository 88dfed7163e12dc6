using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PushApi.Server.Pipeline;

/// <summary>
/// The per-user limit's cheap first stage (R15): a token bucket per credential — the session token of the headers
/// (Authorization, X-SFDC-Session), or of the endpoint's own <see cref="ISessionTokenSource"/> (a SOAP envelope's
/// SessionHeader) — consulted before the session is looked up, so a caller far over its limit is refused for the price of
/// a dictionary look-up. A REST or Bulk call is refused before its body is read; a SOAP call after its envelope is read,
/// which authentication would read next anyway (the read is kept on the request, never repeated).
/// The per-user limiter after authentication stays the rule (a user's tokens share one bucket);
/// with one token, this stage refuses first and the answer is the same: the API's REQUEST_LIMIT_EXCEEDED, in its shape.
/// </summary>
public sealed class CredentialRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public CredentialRateLimiter(IOptions<RateLimitOptions> options)
    {
        var settings = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => settings.Bucket()));
    }

    /// <summary>Takes one call from the credential's bucket; false when it is empty.</summary>
    public bool TryAcquire(string credential)
    {
        // The bucket is keyed by a digest, so the limiter holds no usable token.
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
        using var lease = _limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

public static class CredentialRateLimiting
{
    /// <summary>
    /// Refuses a call to a rate-limited endpoint whose credential is over its limit, before authentication runs. Goes after
    /// routing (the endpoint says whether it is limited and how its API answers) and before <c>UseAuthentication</c>.
    /// </summary>
    public static IApplicationBuilder UseCredentialRateLimiting(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint() is { } endpoint
            && endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == RateLimiting.PerUserPolicy
            && await CredentialAsync(context, endpoint) is { Length: > 0 } credential
            && !context.RequestServices.GetRequiredService<CredentialRateLimiter>().TryAcquire(credential))
        {
            await RateLimiting.RefuseAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>The session token the call carries, wherever authentication will look for it.</summary>
    private static ValueTask<string?> CredentialAsync(HttpContext context, Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<ISessionTokenSource>() is { } source
            ? source.ReadTokenAsync(context)
            : ValueTask.FromResult(SessionAuthenticationHandler.ReadToken(context.Request));
}
