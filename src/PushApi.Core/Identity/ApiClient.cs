namespace PushApi.Core.Identity;

/// <summary>
/// A machine client that gets tokens with the client_credentials grant (its sessions run as the client's own
/// user, whose permissions are the client's), with JWT bearer assertions signed by the key of its certificate,
/// or through the authorization code flow back to one of its callback URLs.
/// </summary>
public sealed class ApiClient
{
    public long Id { get; private set; }

    public required string ClientId { get; init; }

    public required byte[] SecretHash { get; init; }

    public required string Name { get; init; }

    public long UserId { get; init; }

    public User? User { get; init; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The PEM certificate whose key signs the client's JWT bearer assertions, or null.</summary>
    public string? CertificatePem { get; set; }

    /// <summary>Where the authorization code flow may send the browser back (exact matches).</summary>
    public string[] CallbackUrls { get; set; } = [];
}
