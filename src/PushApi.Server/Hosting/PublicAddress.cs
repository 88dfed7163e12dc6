using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace PushApi.Server.Hosting;

/// <summary>
/// The service's own base URL as others reach it: <c>PushApi:PublicUrl</c> when set; otherwise the first
/// address the server listens on (see <see cref="FromListening"/>). Always ends with '/'.
/// </summary>
public sealed class PublicAddress(IOptions<PushApiOptions> options, IServer server, ReverseProxySettings proxy, ILogger<PublicAddress> logger)
{
    private static readonly Uri Default = new(HostingExtensions.DefaultHttpUrl + "/");

    private Uri? _resolved;

    /// <summary>Before the server listens (or when it does not listen on sockets), the contract's default, not remembered.</summary>
    public Uri BaseUrl => _resolved ?? (_resolved = Resolve()) ?? Default;

    /// <summary>
    /// The address to give out among those the server listens on: http before https (an agent seldom trusts the
    /// generated certificate), a wildcard host (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>) read as <c>localhost</c>.
    /// </summary>
    public static Uri? FromListening(IEnumerable<string> addresses)
    {
        var listening = addresses.OrderBy(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? 1 : 0).FirstOrDefault();
        if (listening is null)
        {
            return null;
        }

        var uri = new UriBuilder(listening.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "localhost";
        }

        return WithSlash(uri.Uri);
    }

    private Uri? Resolve()
    {
        if (options.Value.PublicUrl is { } configured)
        {
            return WithSlash(new Uri(configured));
        }

        var address = FromListening(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
        if (address is not null && proxy.Enabled)
        {
            // Background work (agents' artifact links, mails) has no request whose forwarded headers could say better.
            logger.LogWarning("PushApi:ForwardedHeaders is enabled but PushApi:PublicUrl is not set; links for tenants' agents and mails use the listening address {Address}, not the proxy's. Set PushApi__PublicUrl to the address clients reach.", address);
        }
        else if (address is not null)
        {
            logger.LogInformation("PushApi:PublicUrl is not set; links for tenants' agents use the listening address {Address}. Set it when agents run on other machines.", address);
        }

        return address;
    }

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
