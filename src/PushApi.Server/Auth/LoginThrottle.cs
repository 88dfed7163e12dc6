using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PushApi.Server.Auth;

/// <summary>Login rate limits (configuration section <c>PushApi:Auth</c>).</summary>
public sealed class LoginThrottleOptions
{
    /// <summary>Failed logins of one username from one address before each further attempt from there waits (1 s, doubling up to <see cref="MaxDelay"/>).</summary>
    public int FailuresBeforeDelay { get; set; } = 5;

    /// <summary>
    /// Failed logins of one username from all addresses together before attempts from addresses that have not signed in
    /// as that user lately wait too (a guessing attack spread over many addresses). Addresses it signed in from are never slowed by it.
    /// </summary>
    public int FailuresBeforeUserDelay { get; set; } = 20;

    /// <summary>The longest wait a run of failures imposes.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failures are forgotten this long after the last one.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an address a user signed in from stays exempt from the username-wide delay.</summary>
    public TimeSpan TrustedAddressDuration { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Token requests from one address within <see cref="AddressWindow"/>.</summary>
    public int MaxLoginAttemptsPerAddress { get; set; } = 60;

    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Slows password guessing without letting anyone lock a user out: failures are counted per username and address,
/// and past a few each further attempt from that address waits longer (progressive delays, never a hard lock); the
/// username's failures from all addresses together slow only addresses that have not signed in as that user lately,
/// so an attacker cannot keep the user (the admin included) from signing in from their usual address. Token
/// requests per address are capped too. Kept in memory per instance; a restart forgets the counts.
/// </summary>
public sealed class LoginThrottle(IOptions<LoginThrottleOptions> options, TimeProvider clock)
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, Failures> _failuresByPair = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Failures> _failuresByUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _trusted = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Window> _attemptsByAddress = new(StringComparer.Ordinal);

    /// <summary>Counts an attempt from the address; returns how long to wait when the address, or the username from it, must slow down.</summary>
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

        if (username is null)
        {
            return null;
        }

        var pair = Pair(username, address);
        var wait = Wait(_failuresByPair, pair, settings.FailuresBeforeDelay, now);
        if (wait is null && !IsTrusted(pair, now))
        {
            wait = Wait(_failuresByUser, username, settings.FailuresBeforeUserDelay, now);
        }

        return wait;
    }

    public void RecordFailure(string username, string? address)
    {
        var now = clock.GetUtcNow();
        var window = options.Value.FailureWindow;
        _failuresByPair.AddOrUpdate(Pair(username, address), _ => new Failures(1, now), (_, f) => f.Add(now, window));
        _failuresByUser.AddOrUpdate(username, _ => new Failures(1, now), (_, f) => f.Add(now, window));
    }

    /// <summary>The user signed in from the address: its failures are cleared and the address is trusted for the username.</summary>
    public void RecordSuccess(string username, string? address)
    {
        var pair = Pair(username, address);
        _failuresByPair.TryRemove(pair, out _);
        _failuresByUser.TryRemove(username, out _);
        _trusted[pair] = clock.GetUtcNow();
    }

    private static string Pair(string username, string? address) => username + "\n" + (address ?? "?");

    private bool IsTrusted(string pair, DateTimeOffset now) =>
        _trusted.TryGetValue(pair, out var since) && now - since < options.Value.TrustedAddressDuration;

    /// <summary>How long until the next attempt is allowed: 1 s after the failure that reached the threshold, doubling with each further one.</summary>
    private TimeSpan? Wait(ConcurrentDictionary<string, Failures> failures, string key, int threshold, DateTimeOffset now)
    {
        if (!failures.TryGetValue(key, out var seen) || now - seen.Last >= options.Value.FailureWindow || seen.Count < threshold)
        {
            return null;
        }

        var doublings = Math.Min(seen.Count - threshold, 30);
        var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, doublings), options.Value.MaxDelay.TotalSeconds));
        var wait = seen.Last + delay - now;
        return wait > TimeSpan.Zero ? wait : null;
    }

    private void Prune(DateTimeOffset now)
    {
        var settings = options.Value;
        if (_attemptsByAddress.Count + _failuresByPair.Count + _failuresByUser.Count >= PruneAbove)
        {
            Remove(_attemptsByAddress, w => now - w.Start >= settings.AddressWindow);
            Remove(_failuresByPair, f => now - f.Last >= settings.FailureWindow);
            Remove(_failuresByUser, f => now - f.Last >= settings.FailureWindow);
        }

        if (_trusted.Count >= PruneAbove * 10)
        {
            Remove(_trusted, since => now - since >= settings.TrustedAddressDuration);
        }
    }

    private static void Remove<T>(ConcurrentDictionary<string, T> entries, Func<T, bool> expired)
    {
        foreach (var (key, value) in entries)
        {
            if (expired(value))
            {
                entries.TryRemove(key, out _);
            }
        }
    }

    private readonly record struct Failures(int Count, DateTimeOffset Last)
    {
        public Failures Add(DateTimeOffset now, TimeSpan window) => now - Last >= window ? new Failures(1, now) : new Failures(Count + 1, now);
    }

    private readonly record struct Window(DateTimeOffset Start, int Count)
    {
        public Window Add(DateTimeOffset now, TimeSpan length) => now - Start >= length ? new Window(now, 1) : this with { Count = Count + 1 };
    }
}
