using PushApi.Core.Identity;

namespace PushApi.Server.Auth;

/// <summary>
/// The one password login of every front end (the OAuth token endpoint's grants and SOAP login): an
/// attempt is throttled by client address and username (<see cref="LoginThrottle"/>: progressive delays, never a
/// lock an attacker can impose), a failure counts against the username from that address, a success clears its
/// failures and trusts the address for the username, and a session is opened for the user.
/// </summary>
public sealed class LoginSequence(UserAccounts accounts, LoginThrottle throttle, SessionStore sessions)
{
    /// <summary>How long the caller must wait before trying again, or null when it may try now (the attempt is counted).</summary>
    public TimeSpan? CheckAttempt(string? address, string? username) => throttle.CheckAttempt(address, string.IsNullOrEmpty(username) ? null : username);

    /// <summary>The user with this username and password, or null (the failure counts against the username).</summary>
    public async Task<User?> VerifyPasswordAsync(string username, string password, string? address, CancellationToken cancellationToken)
    {
        var user = username.Length == 0 || password.Length == 0 ? null : await accounts.VerifyPasswordAsync(username, password, cancellationToken);
        if (user is null)
        {
            RecordFailure(username, address);
            return null;
        }

        throttle.RecordSuccess(username, address);
        return user;
    }

    /// <summary>Counts a failed attempt against a username (or a client id) that was given.</summary>
    public void RecordFailure(string username, string? address)
    {
        if (username.Length > 0)
        {
            throttle.RecordFailure(username, address);
        }
    }

    public void RecordSuccess(string username, string? address) => throttle.RecordSuccess(username, address);

    /// <summary>A new session token for the user, through an API client when one authenticated the call.</summary>
    public Task<string> OpenSessionAsync(long userId, long? apiClientId, string? address, CancellationToken cancellationToken) =>
        sessions.CreateAsync(userId, apiClientId, address, cancellationToken);

    /// <summary>A new session token that ends with the refresh token it was got with.</summary>
    public Task<string> OpenSessionAsync(long userId, long? apiClientId, string? address, long? refreshTokenId, CancellationToken cancellationToken) =>
        sessions.CreateAsync(userId, apiClientId, address, refreshTokenId, cancellationToken);
}

public static class LoginExtensions
{
    public static IServiceCollection AddPushApiLogin(this IServiceCollection services)
    {
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<LoginThrottleOptions>().BindConfiguration("PushApi:Auth");
        services.AddScoped<LoginSequence>();
        services.AddOptions<Core.Identity.OAuth.OAuthOptions>().BindConfiguration("PushApi:OAuth");
        return services;
    }
}
