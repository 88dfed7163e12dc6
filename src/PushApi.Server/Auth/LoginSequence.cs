using PushApi.Core.Identity;

namespace PushApi.Server.Auth;

/// <summary>
/// The one password login of every front end (the OAuth token endpoint's grants and SOAP login): an
/// attempt is throttled by client address and username, a failure counts against the username, a
/// success clears its failures, and a session is opened for the user.
/// </summary>
public sealed class LoginSequence(UserAccounts accounts, LoginThrottle throttle, SessionStore sessions)
{
    /// <summary>How long the caller must wait before trying again, or null when it may try now (the attempt is counted).</summary>
    public TimeSpan? CheckAttempt(string? address, string? username) => throttle.CheckAttempt(address, string.IsNullOrEmpty(username) ? null : username);

    /// <summary>The user with this username and password, or null (the failure counts against the username).</summary>
    public async Task<User?> VerifyPasswordAsync(string username, string password, CancellationToken cancellationToken)
    {
        var user = username.Length == 0 || password.Length == 0 ? null : await accounts.VerifyPasswordAsync(username, password, cancellationToken);
        if (user is null)
        {
            RecordFailure(username);
            return null;
        }

        throttle.RecordSuccess(username);
        return user;
    }

    /// <summary>Counts a failed attempt against a username (or a client id) that was given.</summary>
    public void RecordFailure(string username)
    {
        if (username.Length > 0)
        {
            throttle.RecordFailure(username);
        }
    }

    public void RecordSuccess(string username) => throttle.RecordSuccess(username);

    /// <summary>A new session token for the user, through an API client when one authenticated the call.</summary>
    public Task<string> OpenSessionAsync(long userId, long? apiClientId, string? address, CancellationToken cancellationToken) =>
        sessions.CreateAsync(userId, apiClientId, address, cancellationToken);
}

public static class LoginExtensions
{
    public static IServiceCollection AddPushApiLogin(this IServiceCollection services)
    {
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<LoginThrottleOptions>().BindConfiguration("PushApi:Auth");
        services.AddScoped<LoginSequence>();
        return services;
    }
}
