using Microsoft.Extensions.Options;
using PushApi.Core.Features;
using PushApi.Server.Hosting;

namespace PushApi.Server.Pipeline;

/// <summary>Endpoint metadata: the endpoint belongs to a feature and refuses while its switch is off.</summary>
public sealed record FeatureRequirement(Feature Feature);

/// <summary>
/// Feature switches in the one pipeline. An endpoint (or group) marked with <see cref="RequireFeature"/>
/// answers 403 <c>FEATURE_DISABLED</c> while its switch is off: after authentication and authorization
/// (a caller without a session or the permission hears that first), before the endpoint binds its body
/// or does any work.
/// </summary>
public static class FeatureGate
{
    /// <summary>Configuration turns switches on (<c>PushApi:Features</c>), and so does demo mode.</summary>
    public static IServiceCollection AddFeatureSwitches(this IServiceCollection services)
    {
        services.AddOptions<FeatureOptions>()
            .BindConfiguration(FeatureOptions.Section)
            .Configure<IOptions<PushApiOptions>>((features, pushApi) => features.DemoMode = pushApi.Value.Demo.Subscribers > 0);
        return services;
    }

    /// <summary>
    /// The endpoints answer 403 <c>FEATURE_DISABLED</c> (problem details saying how to turn it on) while
    /// <paramref name="feature"/> is off; their OpenAPI description says so unless they set their own.
    /// </summary>
    public static TBuilder RequireFeature<TBuilder>(this TBuilder builder, Feature feature)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new FeatureRequirement(feature),
            new EndpointDescriptionAttribute(
                $"Part of {feature.Title.ToLowerInvariant()}, a feature switch ({feature.SettingName} in GET /api/v1/settings), off on a new installation: " +
                "while it is off, 403 problem details with errorCode FEATURE_DISABLED."));

    /// <summary>Refuses requests to the endpoints of a switched-off feature; runs right after authorization.</summary>
    public static WebApplication UseFeatureSwitches(this WebApplication app)
    {
        app.UseMiddleware<FeatureGateMiddleware>();
        return app;
    }

    /// <summary>What a refusal says: the feature is off, and both ways to turn it on.</summary>
    public static string HowToTurnOn(Feature feature) =>
        $"{feature.Title} is turned off on this installation. An administrator turns it on with PATCH /api/v1/settings " +
        $"{{\"{feature.SettingName}\": true}}, or by setting the environment variable {feature.EnvironmentVariable}=true " +
        $"(configuration {feature.ConfigurationKey}) and restarting the service.";
}

/// <summary>Throws <see cref="FeatureDisabledException"/> for a request whose endpoint needs a switched-off feature; the error shape answers it.</summary>
public sealed class FeatureGateMiddleware(RequestDelegate next, FeatureSwitches switches, ILogger<FeatureGateMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        foreach (var requirement in context.GetEndpoint()?.Metadata.GetOrderedMetadata<FeatureRequirement>() ?? [])
        {
            if (!await switches.IsEnabledAsync(requirement.Feature, context.RequestAborted))
            {
                logger.LogInformation("Refused {Method} {Path}: {Feature} is turned off.", context.Request.Method, context.Request.Path, requirement.Feature.Title);
                throw new FeatureDisabledException(requirement.Feature);
            }
        }

        await next(context);
    }
}
