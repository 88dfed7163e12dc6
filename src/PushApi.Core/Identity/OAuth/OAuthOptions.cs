namespace PushApi.Core.Identity.OAuth;

/// <summary>OAuth settings (configuration section <c>PushApi:OAuth</c>, environment <c>PushApi__OAuth__*</c>).</summary>
public sealed class OAuthOptions
{
    /// <summary>The sf CLI's own public client <c>PlatformCLI</c> (no secret, PKCE, <c>http://localhost:1717/OauthRedirect</c>) may log in.</summary>
    public bool AllowPlatformCli { get; set; }

    /// <summary>A refresh token unused for this many days expires.</summary>
    public int RefreshTokenIdleDays { get; set; } = 90;

    /// <summary>How long an authorization code may wait for its exchange.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How far past its <c>exp</c> a JWT bearer assertion is still accepted (clocks differ).</summary>
    public TimeSpan JwtClockSkew { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Audiences a JWT bearer assertion may name besides the service's own URL (with or without a trailing slash),
    /// e.g. <c>https://login.salesforce.com</c> for tools that cannot be told another one.
    /// </summary>
    public string[] JwtAudiences { get; set; } = [];
}
