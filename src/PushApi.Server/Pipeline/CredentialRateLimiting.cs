using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PushApi.Server.Pipeline;

/// <summary>
/// The per-user limit's cheap first stage (R15): a token bucket per credential — the session token of the headers
/// (Authorization, X-SFDC-Session) — consulted before authentication and before the body is read, so a caller far over
/// its limit is refused for the price of a dictionary look-up. A SOAP envelope's session is in the body: a bounded peek
/// at it was tried and made SOAP refusals slower (0.5 to 1.5-2.9 ms, 2026-12-06), so SOAP calls without a header token
/// are still limited after authentication only. The per-user limiter after authentication stays the rule (a user's tokens share one bucket);
/// with one token, this stage refuses first and the answer is the same: the API's REQUEST_LIMIT_EXCEEDED, in its shape.
/// </summary>
public sealed class CredentialRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public CredentialRateLimiter(IOptions<RateLimitOptions> options)
    {
        var settings = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
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
            && Credential(context) is { Length: > 0 } credential
            && !context.RequestServices.GetRequiredService<CredentialRateLimiter>().TryAcquire(credential))
        {
            await RateLimiting.RefuseAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>The session token of the headers; a SOAP envelope's own session is not looked for (see the summary above).</summary>
    private static string? Credential(HttpContext context) => SessionAuthenticationHandler.ReadToken(context.Request);
}
