using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>An RSA key pair with a self-signed certificate, as a CI pipeline makes one for <c>sf org login jwt</c>, and assertions it signs.</summary>
public sealed class JwtSigner : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);

    public JwtSigner()
    {
        var request = new CertificateRequest("CN=pushapi-ci", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));
        CertificatePem = certificate.ExportCertificatePem();
    }

    public string CertificatePem { get; }

    /// <summary>The private key as the CLI's <c>--jwt-key-file</c> reads it.</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>An RS256 assertion with the claims given (numbers, strings).</summary>
    public string Sign(IReadOnlyDictionary<string, object> claims) =>
        new JsonWebTokenHandler().CreateToken(JsonSerializer.Serialize(claims), new SigningCredentials(new RsaSecurityKey(_key), SecurityAlgorithms.RsaSha256));

    /// <summary>The claims the sf CLI sends: iss, sub, aud and exp in milliseconds (<c>Date.now() + 300</c>).</summary>
    public static Dictionary<string, object> CliClaims(string clientId, string username, string audience) => new()
    {
        ["iss"] = clientId,
        ["sub"] = username,
        ["aud"] = audience,
        ["exp"] = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() + 300,
        ["iat"] = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(),
    };

    public void Dispose() => _key.Dispose();
}
