using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace PushApi.Server.Agents;

/// <summary>
/// The token of an agent's artifact link: the job id and attempt, encrypted and authenticated with the Data
/// Protection key ring every instance shares (in PostgreSQL), under a purpose of its own, so nobody without
/// the key can make one, and one made for a job and attempt proves nothing for another (nor can another
/// purpose's ciphertext, such as a protected agent password, pass for one). It carries no expiry: a link
/// lives while its attempt runs, which only the database knows.
/// </summary>
public sealed class ArtifactTokens(IDataProtectionProvider provider)
{
    public const string Purpose = "PushApi.AgentArtifactLink.v1";

    /// <summary>Longer than any token this class makes; anything longer is refused without decrypting it.</summary>
    public const int MaxLength = 512;

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>A URL-safe token (base64url) for one attempt at one job.</summary>
    public string Issue(long jobId, int attempt) => _protector.Protect(Payload(jobId, attempt));

    /// <summary>Whether <paramref name="token"/> was issued by this service for exactly this job and attempt.</summary>
    public bool IsGenuine(string? token, long jobId, int attempt)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }

        try
        {
            return _protector.Unprotect(token) == Payload(jobId, attempt);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }

    private static string Payload(long jobId, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{jobId}:{attempt}");
}
