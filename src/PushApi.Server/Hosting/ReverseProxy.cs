using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace PushApi.Server.Hosting;

/// <summary>
/// Behind a reverse proxy (<c>PushApi:ForwardedHeaders:Enabled</c>): <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c>
/// from a known proxy become the request's client address, scheme and host, so what is derived from them (the token's
/// <c>instance_url</c> and <c>id</c>, SOAP's <c>serverUrl</c>, the WSDL's endpoint, HSTS, the login throttle's and the
/// audit log's client address, the anonymous rate-limit partition) is what the client sees. Headers from any other
/// address are ignored, and so are all of them while this is off (the default).
/// </summary>
public static class ReverseProxy
{
    public const string Section = "PushApi:ForwardedHeaders";

    /// <summary>Reads the settings; a proxy or network that does not parse stops the start with a message naming it.</summary>
    public static WebApplicationBuilder AddPushApiReverseProxy(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        var settings = new ReverseProxySettings(section.GetValue<bool>("Enabled"), Addresses(section, "KnownProxies"), Addresses(section, "KnownNetworks"));
        builder.Services.AddSingleton(settings);
        builder.Services.Configure<ForwardedHeadersOptions>(options => Configure(options, settings));
        return builder;
    }

    /// <summary>Early in the pipeline, before anything reads the scheme, host or client address.</summary>
    public static WebApplication UsePushApiForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ReverseProxySettings>().Enabled)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    internal static void Configure(ForwardedHeadersOptions options, ReverseProxySettings settings)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;

        // Walk the chain from the right while each hop is a known proxy: a client's own X-Forwarded-For entries stay ignored.
        options.ForwardLimit = null;
        if (settings.KnownProxies.Count == 0 && settings.KnownNetworks.Count == 0)
        {
            return; // ASP.NET Core's defaults: the loopback addresses (a proxy on the same machine).
        }

        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }

    /// <summary>A list given as one comma- or space-separated value (<c>KnownProxies=10.0.0.5,10.0.0.6</c>) or indexed (<c>KnownProxies__0</c>).</summary>
    private static List<string> Addresses(IConfigurationSection section, string key)
    {
        var list = section.GetSection(key);
        var values = list.Value is { } single ? [single] : list.GetChildren().Select(c => c.Value ?? "");
        var addresses = values.SelectMany(v => v.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var address in addresses)
        {
            var valid = key == "KnownNetworks" ? System.Net.IPNetwork.TryParse(address, out _) : IPAddress.TryParse(address, out _);
            if (!valid)
            {
                throw new InvalidOperationException(
                    $"{Section}:{key}: '{address}' is not {(key == "KnownNetworks" ? "a network in CIDR form, e.g. 10.0.0.0/8" : "an IP address, e.g. 10.0.0.5")}.");
            }
        }

        return addresses;
    }
}

/// <summary>The reverse-proxy settings as read at start-up.</summary>
public sealed record ReverseProxySettings(bool Enabled, IReadOnlyList<string> KnownProxies, IReadOnlyList<string> KnownNetworks);
