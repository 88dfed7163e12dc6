namespace PushApi.Core.Identity;

/// <summary>Session and login settings (configuration section <c>PushApi:Auth</c>).</summary>
public sealed class IdentityOptions
{
    /// <summary>A session unused this long expires (Salesforce's default is 2 hours).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How stale last-used may get before a request writes it again (saves a write per call).</summary>
    public TimeSpan SessionTouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an instance trusts a token it has just checked without asking the database again (a
    /// logout on the same instance takes effect at once; one on another instance, or a user's
    /// deactivation, within this time). Zero checks every request against the database.
    /// </summary>
    public TimeSpan SessionCacheDuration { get; set; } = TimeSpan.FromSeconds(2);
}
