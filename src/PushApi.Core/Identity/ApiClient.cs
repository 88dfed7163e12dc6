namespace PushApi.Core.Identity;

/// <summary>
/// A machine client that gets tokens with the client_credentials grant. Its sessions run as the
/// client's own user, whose permissions are the client's.
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
}
