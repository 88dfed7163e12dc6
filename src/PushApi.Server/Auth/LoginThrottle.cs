using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PushApi.Server.Auth;

/// <summary>Login rate limits (configuration section <c>PushApi:Auth</c>).</summary>
public sealed class LoginThrottleOptions
{
    /// <summary>Failed logins of one username within <see cref="FailureWindow"/> before it is locked for the rest of the window.</summary>
    public int MaxFailedLoginsPerUser { get; set; } = 10;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Token requests from one address within <see cref="AddressWindow"/>.</summary>
    public int MaxLoginAttemptsPerAddress { get; set; } = 60;

    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Slows password guessing: counts failed logins per username and token requests per client
/// address in fixed windows. Kept in memory per instance; a restart forgets the counts.
/// </summary>
public sealed class LoginThrottle(IOptions<LoginThrottleOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Window> _failuresByUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Window> _attemptsByAddress = new(StringComparer.Ordinal);

    /// <summary>Counts an attempt from the address; returns how long to wait when the address or the user is over its limit.</summary>
    public TimeSpan? CheckAttempt(string? address, string? username)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        Prune(now);

        var byAddress = _attemptsByAddress.AddOrUpdate(address ?? "?", _ => new Window(now, 1), (_, w) => w.Add(now, settings.AddressWindow));
        if (byAddress.Count > settings.MaxLoginAttemptsPerAddress)
        {
            return byAddress.Start + settings.AddressWindow - now;
        }

        if (username is not null && _failuresByUser.TryGetValue(username, out var failures)
            && now - failures.Start < settings.FailureWindow && failures.Count >= settings.MaxFailedLoginsPerUser)
        {
            return failures.Start + settings.FailureWindow - now;
        }

        return null;
    }

    public void RecordFailure(string username)
    {
        var now = clock.GetUtcNow();
        _failuresByUser.AddOrUpdate(username, _ => new Window(now, 1), (_, w) => w.Add(now, options.Value.FailureWindow));
    }

    public void RecordSuccess(string username) => _failuresByUser.TryRemove(username, out _);

    private void Prune(DateTimeOffset now)
    {
        if (_attemptsByAddress.Count + _failuresByUser.Count < 10_000)
        {
            return;
        }

        var settings = options.Value;
        foreach (var (key, window) in _attemptsByAddress)
        {
            if (now - window.Start >= settings.AddressWindow)
            {
                _attemptsByAddress.TryRemove(key, out _);
            }
        }

        foreach (var (key, window) in _failuresByUser)
        {
            if (now - window.Start >= settings.FailureWindow)
            {
                _failuresByUser.TryRemove(key, out _);
            }
        }
    }

    private readonly record struct Window(DateTimeOffset Start, int Count)
    {
        public Window Add(DateTimeOffset now, TimeSpan length) => now - Start >= length ? new Window(now, 1) : this with { Count = Count + 1 };
    }
}
