using PushApi.Core.Ids;

namespace PushApi.Core.Identity;

/// <summary>Someone (or, for an API client, something) that signs in and holds permissions.</summary>
public sealed class User
{
    public long Id { get; private set; }

    public required string Username { get; init; }

    /// <summary>Null for API-client users, who cannot log in with a password.</summary>
    public string? PasswordHash { get; set; }

    public string? FullName { get; set; }

    public string? Email { get; set; }

    public required string[] Permissions { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SystemModstamp { get; set; }

    public string SalesforceId => Ids.SalesforceId.Format(KeyPrefixes.User, Id);
}
