using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Hosting;

/// <summary>simple_salesforce and CumulusCI only speak https: the service serves it with a generated or a configured certificate.</summary>
public class HttpsTests
{
    private static async Task<(ServerProcess Server, string DataDirectory)> StartAsync(string purpose, Dictionary<string, string?> settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-tls-" + Guid.NewGuid().ToString("N")[..8]);
        settings["ConnectionStrings__PushApi"] = await TestPostgres.CreateDatabaseAsync(purpose);
        settings["PushApi__DataDirectory"] = dataDirectory;
        settings["PushApi__Bootstrap__Username"] = "admin@tls.test";
        settings["PushApi__Bootstrap__Password"] = "Password-1";
        return (ServerProcess.Start(Path.GetTempPath(), settings, scheme: "https"), dataDirectory);
    }

    [Test]
    public async Task Without_a_certificate_a_self_signed_one_is_made_and_kept_as_PEM_for_clients_to_trust()
    {
        var (server, dataDirectory) = await StartAsync("https", []);
        using (server)
        {
            var pem = Path.Combine(dataDirectory, "tls", "certificate.pem");
            using var client = TrustingOnly(() => File.Exists(pem) ? X509Certificate2.CreateFromPem(File.ReadAllText(pem)) : null, out var presented);
            await server.WaitUntilReadyAsync(client);
            Assert.That(presented(), Is.Not.Null);
            Assert.That(presented()!.GetNameInfo(X509NameType.SimpleName, false), Is.EqualTo("PushApi local"));

            // HTTPS answers carry HSTS; the token endpoint's answer is never cached; the console sends no referrer.
            using var token = await client.PostAsync(new Uri(server.BaseAddress, "/services/oauth2/token"), new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password" }));
            Assert.That(token.Headers.GetValues("Strict-Transport-Security").Single(), Is.EqualTo("max-age=31536000"));
            Assert.That(token.Headers.CacheControl?.NoStore, Is.True);
            using var console = await client.GetAsync(new Uri(server.BaseAddress, "/monitor/"));
            Assert.That(console.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
        }

        Directory.Delete(dataDirectory, recursive: true);
    }

    [Test]
    public async Task A_configured_certificate_is_used_instead()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pushapi-cert-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=configured.pushapi.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(30));
        await File.WriteAllTextAsync(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());

        var (server, dataDirectory) = await StartAsync("httpscfg", new Dictionary<string, string?>
        {
            ["Kestrel__Certificates__Default__Path"] = Path.Combine(directory, "cert.pem"),
            ["Kestrel__Certificates__Default__KeyPath"] = Path.Combine(directory, "key.pem"),
        });
        using (server)
        {
            using var client = TrustingOnly(() => certificate, out var presented);
            await server.WaitUntilReadyAsync(client);
            Assert.That(presented()!.Subject, Is.EqualTo("CN=configured.pushapi.test"));
            Assert.That(File.Exists(Path.Combine(dataDirectory, "tls", "certificate.pem")), Is.False, "no certificate was generated");
        }

        Directory.Delete(directory, recursive: true);
        Assert.That(Directory.Exists(dataDirectory), Is.False, "with an external database and a configured certificate nothing is written to the data directory");
    }

    /// <summary>A client that trusts exactly one certificate, and tells which one the server presented.</summary>
    private static HttpClient TrustingOnly(Func<X509Certificate2?> trusted, out Func<X509Certificate2?> presented)
    {
        X509Certificate2? seen = null;
        presented = () => seen;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seen = new X509Certificate2(certificate!);
                    return trusted() is { } expected && seen.Thumbprint == expected.Thumbprint;
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
    }
}
