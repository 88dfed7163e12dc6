using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PushApi.Core.Identity.OAuth;

/// <summary>Why an assertion was refused (each maps to the OAuth error Salesforce answers with).</summary>
public enum AssertionProblem
{
    None,
    Malformed,
    UnknownClient,
    BadSignature,
    WrongAudience,
    Expired,
    UnknownUser,
    Replayed,
}

/// <summary>The outcome of a JWT bearer assertion: the user and client it logs in, or the problem.</summary>
public sealed record AssertionCheck(AssertionProblem Problem, User? User = null, OAuthClient? Client = null);

/// <summary>
/// The JWT bearer grant (RFC 7523) as Salesforce checks it: an RS256 signature by the key of the client's certificate,
/// <c>iss</c> = the client id, <c>sub</c> = the username, <c>aud</c> = the service's URL, <c>exp</c> not passed (a value
/// above 10^11 is read as milliseconds, as the sf CLI sends <c>Date.now() + 300</c>), and each <c>jti</c> accepted once
/// (an assertion without one is itself accepted once).
/// </summary>
public sealed class JwtBearerGrant(OAuthClients clients, UserAccounts accounts, UsedAssertions used, TimeProvider clock, IOptions<OAuthOptions> options)
{
    private const long MillisecondsAbove = 100_000_000_000;
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Checks an assertion sent to a service reachable at <paramref name="serviceUrl"/> (scheme://host[:port]).</summary>
    public async Task<AssertionCheck> CheckAsync(string assertion, string serviceUrl, CancellationToken cancellationToken = default)
    {
        if (Read(assertion) is not { } token || !TryExpiry(token, out var expiresAt))
        {
            return new AssertionCheck(AssertionProblem.Malformed);
        }

        var client = await clients.FindAsync(token.Issuer ?? "", cancellationToken);
        if (client is null || !client.IsActive)
        {
            return new AssertionCheck(AssertionProblem.UnknownClient);
        }

        if (client.CertificatePem is null || !await SignedByAsync(assertion, client.CertificatePem))
        {
            return new AssertionCheck(AssertionProblem.BadSignature);
        }

        if (!token.Audiences.Any(a => AudienceAccepted(a, serviceUrl)))
        {
            return new AssertionCheck(AssertionProblem.WrongAudience);
        }

        var settings = options.Value;
        if (clock.GetUtcNow() > expiresAt + settings.JwtClockSkew)
        {
            return new AssertionCheck(AssertionProblem.Expired);
        }

        var user = string.IsNullOrEmpty(token.Subject) ? null : await accounts.FindActiveByUsernameAsync(token.Subject, cancellationToken);
        if (user is null)
        {
            return new AssertionCheck(AssertionProblem.UnknownUser);
        }

        var jti = string.IsNullOrEmpty(token.Id) ? "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(assertion))) : token.Id;
        return await used.TryUseAsync(client.ClientId, jti, expiresAt + settings.JwtClockSkew, cancellationToken)
            ? new AssertionCheck(AssertionProblem.None, user, client)
            : new AssertionCheck(AssertionProblem.Replayed);
    }

    private static JsonWebToken? Read(string assertion)
    {
        if (assertion.Length is 0 or > 16_000 || !Handler.CanReadToken(assertion))
        {
            return null;
        }

        try
        {
            var token = Handler.ReadJsonWebToken(assertion);
            return token.IsSigned ? token : null;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The <c>exp</c> claim in seconds, or in milliseconds when it is above 10^11.</summary>
    private static bool TryExpiry(JsonWebToken token, out DateTimeOffset expiresAt)
    {
        expiresAt = default;
        double exp;
        try
        {
            if (!token.TryGetPayloadValue<double>("exp", out exp) || double.IsNaN(exp) || exp <= 0 || exp > 1e15)
            {
                return false;
            }
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or JsonException or FormatException or InvalidCastException)
        {
            return false;
        }

        var milliseconds = exp > MillisecondsAbove ? exp : exp * 1000;
        if (milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
        return true;
    }

    private static async Task<bool> SignedByAsync(string assertion, string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        var result = await Handler.ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            IssuerSigningKey = new X509SecurityKey(certificate),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = false,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidateIssuerSigningKey = false,
        });
        return result.IsValid;
    }

    private bool AudienceAccepted(string audience, string serviceUrl)
    {
        var trimmed = audience.TrimEnd('/');
        return string.Equals(trimmed, serviceUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            || options.Value.JwtAudiences.Any(a => string.Equals(trimmed, a.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
    }
}
