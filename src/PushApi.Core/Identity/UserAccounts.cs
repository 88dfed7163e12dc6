using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;

namespace PushApi.Core.Identity;

/// <summary>A new API client and its secret, which is shown this once and stored only as a hash.</summary>
public sealed record IssuedApiClient(ApiClient Client, string ClientSecret);

/// <summary>Users and API clients: creation, password checks, client-credential checks.</summary>
public sealed class UserAccounts(PushApiDbContext db, TimeProvider clock)
{
    /// <summary>The administrator generated on an empty database.</summary>
    public const string DefaultAdminUsername = "admin@pushapi.local";

    public async Task<User> CreateUserAsync(string username, string password, IEnumerable<string> permissions, string? fullName, string? email, CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        var user = new User
        {
            Username = username.Trim(),
            PasswordHash = PasswordHasher.Hash(password),
            Permissions = Normalize(permissions),
            FullName = fullName,
            Email = email,
            CreatedAt = now,
            SystemModstamp = now,
        };
        db.Users.Add(user);
        await db.SaveOrConflictAsync(_ => $"A user named '{user.Username}' already exists.", cancellationToken);
        return user;
    }

    /// <summary>The user with this id, or null.</summary>
    public Task<User?> FindAsync(long id, CancellationToken cancellationToken = default) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);

    /// <summary>The active user with this username (case-insensitive), or null.</summary>
    public Task<User?> FindActiveByUsernameAsync(string username, CancellationToken cancellationToken = default) =>
        FindByUsername(db.Users.AsNoTracking(), username).Where(u => u.IsActive).FirstOrDefaultAsync(cancellationToken);

    public Task<List<User>> ListUsersAsync(CancellationToken cancellationToken = default) =>
        db.Users.AsNoTracking().Where(u => u.PasswordHash != null).OrderBy(u => u.Id).ToListAsync(cancellationToken);

    /// <summary>Creates a client with a user of its own holding the client's permissions.</summary>
    public async Task<IssuedApiClient> CreateApiClientAsync(string name, IEnumerable<string> permissions, CancellationToken cancellationToken = default) =>
        await CreateApiClientAsync(name, permissions, null, [], cancellationToken);

    /// <summary>Creates a client with a user of its own, a certificate for JWT bearer assertions and callback URLs for the code flow.</summary>
    public async Task<IssuedApiClient> CreateApiClientAsync(string name, IEnumerable<string> permissions, string? certificatePem, IReadOnlyList<string> callbackUrls, CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        var clientId = "pk_" + Base62.Random(32);
        var secret = Base62.Random(48);
        var user = new User
        {
            Username = clientId + "@clients.pushapi.local",
            Permissions = Normalize(permissions),
            FullName = name.Trim(),
            CreatedAt = now,
            SystemModstamp = now,
        };
        var client = new ApiClient
        {
            ClientId = clientId,
            SecretHash = HashSecret(secret),
            Name = name.Trim(),
            User = user,
            CreatedAt = now,
            CertificatePem = certificatePem is null ? null : OAuth.OAuthClients.NormalizeCertificate(certificatePem),
            CallbackUrls = OAuth.OAuthClients.NormalizeCallbackUrls(callbackUrls),
        };
        db.ApiClients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedApiClient(client, secret);
    }

    public Task<List<ApiClient>> ListApiClientsAsync(CancellationToken cancellationToken = default) =>
        db.ApiClients.AsNoTracking().Include(c => c.User).OrderBy(c => c.Id).ToListAsync(cancellationToken);

    /// <summary>The active user with this username and password, or null. Takes the same time whether or not the user exists.</summary>
    public async Task<User?> VerifyPasswordAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        var user = await FindByUsername(db.Users.AsNoTracking(), username).FirstOrDefaultAsync(cancellationToken);
        if (user?.PasswordHash is null)
        {
            PasswordHasher.SpendVerificationTime(password);
            return null;
        }

        return PasswordHasher.Verify(password, user.PasswordHash) && user.IsActive ? user : null;
    }

    /// <summary>Checks client credentials: the client (with its user) when id and secret match, else why not.</summary>
    public async Task<(ApiClient? Client, ClientCheck Result)> VerifyClientAsync(string clientId, string secret, CancellationToken cancellationToken = default)
    {
        var client = await db.ApiClients.AsNoTracking().Include(c => c.User).FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (client is null)
        {
            return (null, ClientCheck.UnknownClient);
        }

        if (!CryptographicOperations.FixedTimeEquals(HashSecret(secret), client.SecretHash))
        {
            return (null, ClientCheck.WrongSecret);
        }

        return client.IsActive && client.User is { IsActive: true } ? (client, ClientCheck.Ok) : (null, ClientCheck.Disabled);
    }

    /// <summary>
    /// Start-up: creates or resets the configured administrator, or, with none configured and no user
    /// at all, creates <see cref="DefaultAdminUsername"/> with a generated password, which it returns.
    /// </summary>
    public async Task<string?> BootstrapAdminAsync(string? username, string? password, CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        if (!string.IsNullOrWhiteSpace(username) && !string.IsNullOrEmpty(password))
        {
            var existing = await FindByUsername(db.Users, username).FirstOrDefaultAsync(cancellationToken);
            if (existing is null)
            {
                await CreateUserAsync(username, password, [Permissions.Admin], "Administrator", null, cancellationToken);
            }
            else
            {
                existing.PasswordHash = PasswordHasher.Hash(password);
                existing.Permissions = Normalize(existing.Permissions.Append(Permissions.Admin));
                existing.IsActive = true;
                existing.SystemModstamp = now;
                await db.SaveChangesAsync(cancellationToken);
            }

            return null;
        }

        if (await db.Users.AnyAsync(cancellationToken))
        {
            return null;
        }

        var generated = PasswordHasher.GeneratePassword();
        await CreateUserAsync(DefaultAdminUsername, generated, [Permissions.Admin], "Administrator", null, cancellationToken);
        return generated;
    }

    /// <summary>Usernames are case-insensitive; lower() matches the unique index on lower(username).</summary>
    private static IQueryable<User> FindByUsername(IQueryable<User> users, string username)
    {
        var normalized = username.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // string.Equals with a comparison type does not translate to SQL.
        return users.Where(u => u.Username.ToLower() == normalized);
#pragma warning restore CA1862
    }

    private static string[] Normalize(IEnumerable<string> permissions) =>
        [.. permissions.Select(Permissions.Normalize).OfType<string>().Distinct().Order(StringComparer.Ordinal)];

    private static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}

/// <summary>The outcome of a client-credentials check.</summary>
public enum ClientCheck
{
    Ok,
    UnknownClient,
    WrongSecret,
    Disabled,
}
