namespace PushApi.Core.Identity.OAuth;

/// <summary>
/// A client as the OAuth flows see it: one of the API clients an admin made (confidential: it has a secret), or the
/// sf CLI's public client <c>PlatformCLI</c> (no secret, PKCE required) when the configuration allows it.
/// </summary>
public sealed record OAuthClient(string ClientId, long? ApiClientId, bool IsPublic, IReadOnlyList<string> CallbackUrls, string? CertificatePem, byte[]? SecretHash, bool IsActive)
{
    /// <summary>The client id the sf CLI uses when none is given.</summary>
    public const string PlatformCliId = "PlatformCLI";

    /// <summary>The redirect the sf CLI's local server listens on.</summary>
    public const string PlatformCliCallback = "http://localhost:1717/OauthRedirect";

    public static readonly OAuthClient PlatformCli = new(PlatformCliId, null, true, [PlatformCliCallback], null, null, true);

    public bool AllowsCallback(string redirectUri) => CallbackUrls.Contains(redirectUri, StringComparer.Ordinal);
}
