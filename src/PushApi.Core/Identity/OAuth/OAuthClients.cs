using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PushApi.Core.Errors;
using PushApi.Core.Persistence;

namespace PushApi.Core.Identity.OAuth;

/// <summary>The OAuth side of API clients: looking a client up for a flow, its certificate and its callback URLs.</summary>
public sealed class OAuthClients(PushApiDbContext db, IOptions<OAuthOptions> options)
{
    private const int MaxCallbackUrls = 20;
    private const int MaxCallbackUrlLength = 2000;
    private const int MaxCertificateLength = 20_000;

    /// <summary>The client with this id (PlatformCLI only when allowed), or null.</summary>
    public async Task<OAuthClient?> FindAsync(string clientId, CancellationToken cancellationToken = default)
    {
        if (clientId == OAuthClient.PlatformCliId)
        {
            return options.Value.AllowPlatformCli ? OAuthClient.PlatformCli : null;
        }

        if (clientId.Length is 0 or > 100)
        {
            return null;
        }

        var client = await db.ApiClients.AsNoTracking().Include(c => c.User).FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        return client is null
            ? null
            : new OAuthClient(client.ClientId, client.Id, false, client.CallbackUrls, client.CertificatePem, client.SecretHash, client.IsActive && client.User is { IsActive: true });
    }

    /// <summary>Whether the secret is this confidential client's.</summary>
    public static bool SecretMatches(OAuthClient client, string secret) =>
        client.SecretHash is { } hash && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), hash);

    /// <summary>Sets (or, with null, removes) the certificate of an API client.</summary>
    public async Task<ApiClient> SetCertificateAsync(string clientId, string? certificatePem, CancellationToken cancellationToken = default)
    {
        var client = await LoadAsync(clientId, cancellationToken);
        client.CertificatePem = certificatePem is null ? null : NormalizeCertificate(certificatePem);
        await db.SaveChangesAsync(cancellationToken);
        return client;
    }

    /// <summary>Replaces the callback URLs of an API client.</summary>
    public async Task<ApiClient> SetCallbackUrlsAsync(string clientId, IReadOnlyList<string> callbackUrls, CancellationToken cancellationToken = default)
    {
        var client = await LoadAsync(clientId, cancellationToken);
        client.CallbackUrls = NormalizeCallbackUrls(callbackUrls);
        await db.SaveChangesAsync(cancellationToken);
        return client;
    }

    /// <summary>The certificate as a single PEM block, or an <see cref="InputException"/> naming what is wrong with it.</summary>
    public static string NormalizeCertificate(string pem)
    {
        if (pem.Length > MaxCertificateLength)
        {
            throw new InputException("certificate", "The certificate is too long.");
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            using var key = certificate.GetRSAPublicKey();
            return key is null
                ? throw new InputException("certificate", "The certificate must hold an RSA public key (JWT bearer assertions are signed with RS256).")
                : certificate.ExportCertificatePem();
        }
        catch (CryptographicException)
        {
            throw new InputException("certificate", "The certificate is not a PEM-encoded X.509 certificate (-----BEGIN CERTIFICATE-----).");
        }
    }

    /// <summary>Absolute URLs without a fragment, each once; anything else is an <see cref="InputException"/>.</summary>
    public static string[] NormalizeCallbackUrls(IReadOnlyList<string> urls)
    {
        if (urls.Count > MaxCallbackUrls)
        {
            throw new InputException("callbackUrls", $"At most {MaxCallbackUrls} callback URLs.");
        }

        foreach (var url in urls)
        {
            if (url is null || url.Length > MaxCallbackUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Fragment.Length > 0 || url.Any(char.IsControl))
            {
                throw new InputException("callbackUrls", $"'{url}' is not an absolute URL without a fragment.");
            }
        }

        return [.. urls.Distinct(StringComparer.Ordinal)];
    }

    private async Task<ApiClient> LoadAsync(string clientId, CancellationToken cancellationToken) =>
        await db.ApiClients.Include(c => c.User).FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken)
        ?? throw new NotFoundException($"No API client has the id '{clientId}'.");
}
