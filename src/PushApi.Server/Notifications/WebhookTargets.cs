using System.Net;
using System.Net.Sockets;
using PushApi.Core.Errors;

namespace PushApi.Server.Notifications;

/// <summary>Where webhooks may point: <c>PushApi:Webhooks:AllowPrivateTargets</c> (off by default) lets them reach private networks.</summary>
public sealed class WebhookOptions
{
    public bool AllowPrivateTargets { get; set; }
}

/// <summary>
/// Webhook targets may not be this host, its network or the cloud's metadata service: a URL whose address is
/// loopback, link-local (169.254.169.254), private, shared (100.64/10), unique-local, unspecified or multicast is
/// refused when it is registered, and every delivery checks the addresses the name resolves to at that moment
/// (<see cref="ConnectAsync"/>), so a name that later resolves to such an address (DNS rebinding) reaches nothing.
/// </summary>
public static class WebhookTargets
{
    /// <summary>Refuses a URL whose host is, or now resolves to, a private address (unless allowed).</summary>
    public static async Task CheckAsync(Uri url, WebhookOptions options, CancellationToken cancellationToken)
    {
        if (options.AllowPrivateTargets)
        {
            return;
        }

        IPAddress[] addresses;
        try
        {
            addresses = url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                ? [IPAddress.Parse(url.IdnHost)]
                : await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return; // Not resolvable now: each delivery checks again.
        }

        if (addresses.FirstOrDefault(IsPrivate) is { } found)
        {
            throw new InputException("url", $"url points to {found}, an address of this host or a private network; webhooks may only reach public addresses (set PushApi__Webhooks__AllowPrivateTargets=true to allow them).");
        }
    }

    /// <summary>The delivery client's connection: to the first address of the host that is public (or any, when allowed).</summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, WebhookOptions options, CancellationToken cancellationToken)
    {
        var host = endpoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = options.AllowPrivateTargets ? addresses : addresses.Where(a => !IsPrivate(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"The webhook's host {host} resolves only to addresses of this host or a private network, which webhooks may not reach.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC;
        }

        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true,
            100 => (v4[1] & 0xC0) == 64,          // 100.64.0.0/10, shared address space
            169 => v4[1] == 254,                   // link-local, the cloud metadata service
            172 => (v4[1] & 0xF0) == 16,           // 172.16.0.0/12
            192 => v4[1] == 168 || (v4[1] == 0 && v4[2] == 0),
            >= 224 => true,                        // multicast and reserved
            _ => false,
        };
    }
}
