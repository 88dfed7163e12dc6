using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace PushApi.Server.Hosting;

/// <summary>The OpenAPI document (<c>/swagger/v1/swagger.json</c>) and Swagger UI (<c>/swagger</c>).</summary>
public static class OpenApiExtensions
{
    public static IServiceCollection AddPushApiOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "PushApi",
                Version = "v1",
                Description = "Self-hosted push upgrades. The native API (/api/v1) manages packages, versions, tenants, installs and users; " +
                    "get a token from POST /services/oauth2/token and send it as 'Authorization: Bearer <token>'.",
            });
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A session token from POST /services/oauth2/token.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
            options.CustomSchemaIds(type => type.FullName!.Replace('+', '.'));
            options.OperationFilter<AnonymousOperations>();
        });
        return services;
    }

    /// <summary>
    /// The OpenAPI document and its UI, both under <c>/swagger</c>: only requests there pass through their middlewares
    /// (every API call did, for a route-template match and a regular expression each).
    /// </summary>
    public static WebApplication UsePushApiOpenApi(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase),
            swagger =>
            {
                swagger.UseSwagger();
                swagger.UseSwaggerUI(options => options.DocumentTitle = "PushApi API");
            });
        return app;
    }
}

/// <summary>An endpoint that takes no session (the token endpoint, agents' artifact links) says so: no security requirement.</summary>
public sealed class AnonymousOperations : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
        }
    }
}
