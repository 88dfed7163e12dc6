using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;

namespace PushApi.Server.Hosting;

/// <summary>Web host set-up: addresses and TLS, JSON, request limits and the path quirks of Salesforce clients.</summary>
public static class HostingExtensions
{
    public const string DefaultHttpUrl = "http://127.0.0.1:5080";
    public const string DefaultHttpsUrl = "https://127.0.0.1:5443";

    /// <summary>The longest request line (method, path and query string) the service reads.</summary>
    public const int MaxRequestLineBytes = 64 * 1024;

    public static WebApplicationBuilder AddPushApiHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PushApiOptions>().Bind(builder.Configuration.GetSection(PushApiOptions.Section))
            .Validate(o => o.PublicUrl is null || PushApiOptions.IsValidPublicUrl(o.PublicUrl), "PushApi:PublicUrl must be an absolute http or https URL without a query, e.g. https://push.example.com.")
            .ValidateOnStart();
        builder.Services.AddSingleton<PublicAddress>();
        builder.AddPushApiReverseProxy();

        // Without --urls, ASPNETCORE_URLS or configured endpoints, serve the contract's defaults.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultHttpUrl, DefaultHttpsUrl);
        }

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;

            // SOQL travels in the query string; long IN lists need more than Kestrel's 8 KB request line.
            kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = MaxRequestLineBytes + (32 * 1024);

            // A configured default certificate wins; otherwise HTTPS uses the generated one.
            if (!context.Configuration.GetSection("Kestrel:Certificates:Default").Exists())
            {
                var dataDirectory = context.Configuration.GetSection(PushApiOptions.Section).Get<PushApiOptions>()?.DataDirectoryPath
                    ?? new PushApiOptions().DataDirectoryPath;
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = DevelopmentCertificate.LoadOrCreate(dataDirectory));
            }
        });

        builder.Services.Configure<JsonOptions>(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;

            // A key sent twice is malformed, not "the last one wins"; text with a NUL can't be stored.
            options.SerializerOptions.AllowDuplicateProperties = false;
            options.SerializerOptions.Converters.Add(new Pipeline.StoredTextConverter());
        });

        // Malformed bodies surface as exceptions, so the error handler can answer them in each API's shape.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>
    /// The sf CLI keeps the trailing slash of the instance URL and asks for <c>//services/…</c>; such
    /// paths are served as <c>/services/…</c>.
    /// </summary>
    public static IApplicationBuilder UseSalesforcePathQuirks(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var path = context.Request.Path.Value;
        if (path is not null && path.StartsWith("//", StringComparison.Ordinal))
        {
            context.Request.Path = new PathString("/" + path.TrimStart('/'));
        }

        return next(context);
    });
}
