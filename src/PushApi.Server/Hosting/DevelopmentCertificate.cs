using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PushApi.Server.Hosting;

/// <summary>
/// The self-signed certificate of the HTTPS endpoint when no certificate is configured: made once, kept
/// as PEM in <c>&lt;data dir&gt;/tls/</c> so clients can trust it (curl --cacert, NODE_EXTRA_CA_CERTS,
/// requests' verify=).
/// </summary>
public static class DevelopmentCertificate
{
    public static string CertificatePath(string dataDirectory) => Path.Combine(dataDirectory, "tls", "certificate.pem");

    public static string KeyPath(string dataDirectory) => Path.Combine(dataDirectory, "tls", "private-key.pem");

    private static readonly Lock CreationLock = new();

    public static X509Certificate2 LoadOrCreate(string dataDirectory)
    {
        var certificatePath = CertificatePath(dataDirectory);
        var keyPath = KeyPath(dataDirectory);
        lock (CreationLock)
        {
            if (!File.Exists(certificatePath) || !File.Exists(keyPath))
            {
                Create(certificatePath, keyPath);
            }
        }

        return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
    }

    private static void Create(string certificatePath, string keyPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(certificatePath)!);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=PushApi local", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
    }
}
