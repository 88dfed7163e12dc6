using System.Buffers;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using PushApi.Core.Identity;

namespace PushApi.Server.Pipeline;

/// <summary>
/// The per-user limit's cheap first stage (R15): a token bucket per credential — the session token of the headers
/// (Authorization, X-SFDC-Session), or as the first few KB of the body show it for an endpoint whose session travels there
/// (a SOAP envelope's SessionHeader, <see cref="ISessionTokenSource.ScanToken"/>). It is consulted before routing, so a
/// caller far over its limit is refused for the price of a dictionary look-up: no routing, request log, audit, session
/// look-up or body parsing. A token that is unknown or invalid has a bucket of its own and never spends a real user's.
/// The per-user limiter after authentication stays the rule (a user's tokens share one bucket); with one token, this
/// stage refuses first and the answer is the same: the API's REQUEST_LIMIT_EXCEEDED, in its shape.
/// </summary>
public sealed class CredentialRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public CredentialRateLimiter(IOptions<RateLimitOptions> options, TimeProvider clock)
    {
        var settings = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, _ => settings.NewBucket(clock)));
    }

    /// <summary>Takes one call from the credential's bucket; false when it is empty.</summary>
    public bool TryAcquire(SessionTokenDigest credential)
    {
        // The bucket is keyed by the digest, so the limiter holds no usable token.
        using var lease = _limiter.AttemptAcquire(credential.Key);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

public static class CredentialRateLimiting
{
    /// <summary>How much of a body the early stage looks at for a session token: a SOAP envelope's header is in its first lines.</summary>
    public const int ScanBytes = 4096;

    /// <summary>
    /// Refuses a call to a rate-limited endpoint (<see cref="RateLimitedPaths"/>) whose credential is over its limit. Goes
    /// early: after the forwarded headers, security headers, telemetry and path quirks, before routing.
    /// </summary>
    public static IApplicationBuilder UseCredentialRateLimiting(this IApplicationBuilder app)
    {
        var paths = app.ApplicationServices.GetRequiredService<RateLimitedPaths>();
        var limiter = app.ApplicationServices.GetRequiredService<CredentialRateLimiter>();
        var refusals = app.ApplicationServices.GetRequiredService<RateLimitRefusalLog>();
        var frontEnds = app.ApplicationServices.GetRequiredService<Telemetry.FrontEnds>();
        return app.Use(async (context, next) =>
        {
            if (paths.Find(context.Request) is { } covered
                && await CredentialAsync(context, covered.TokenSource) is { Length: > 0 } credential
                && !limiter.TryAcquire(Digest(context, credential)))
            {
                await RateLimiting.RefuseEarlyAsync(context, covered.Shape, refusals, frontEnds);
                return;
            }

            await next(context);
        });
    }

    /// <summary>
    /// The credential's digest, kept on the request: the session check hashes the same token (when the endpoint reads the
    /// same one) and takes it from there (<see cref="SessionAuthenticationHandler"/>).
    /// </summary>
    private static SessionTokenDigest Digest(HttpContext context, string credential)
    {
        var digest = SessionTokenDigest.Of(credential);
        context.Features.Set(digest);
        return digest;
    }

    /// <summary>The session token the call carries: a header's, or the one the first bytes of the body show.</summary>
    private static ValueTask<string?> CredentialAsync(HttpContext context, ISessionTokenSource? source) =>
        source is null ? ValueTask.FromResult(SessionAuthenticationHandler.ReadToken(context.Request)) : ScanAsync(context, source);

    /// <summary>Looks at the body's first <see cref="ScanBytes"/> without consuming them: the endpoint reads the body whole, later.</summary>
    private static async ValueTask<string?> ScanAsync(HttpContext context, ISessionTokenSource source)
    {
        var reader = context.Request.BodyReader;
        System.IO.Pipelines.ReadResult read;
        try
        {
            read = await reader.ReadAtLeastAsync(ScanBytes, context.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            return null; // the endpoint's own reading meets the same problem and answers it in its shape
        }

        var buffer = read.Buffer;
        var head = buffer.Slice(0, Math.Min(buffer.Length, ScanBytes));
        var token = source.ScanToken(head.IsSingleSegment ? head.FirstSpan : head.ToArray());
        reader.AdvanceTo(buffer.Start, buffer.End);
        return token;
    }
}
