using PushApi.Server.Audit;
using PushApi.Server.Governance;

namespace PushApi.Server.Admin;

/// <summary>The native admin API under <c>/api/v1</c> (docs/architecture.md, "Native API").</summary>
public static class AdminApi
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services) => services.AddAdminValidators().AddApprovals();

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization();
        api.MapPackageEndpoints();
        api.MapPackageContentEndpoints();
        api.MapPackageDistributionEndpoints();
        api.MapTenantComponentEndpoints();
        api.MapExclusionEndpoints();
        api.MapApprovalEndpoints();
        api.MapTenantEndpoints();
        api.MapTenantJobEndpoints();
        api.MapInstallationEndpoints();
        api.MapIdentityEndpoints();
        api.MapPushRequestEndpoints();
        api.MapWebhookEndpoints();
        api.MapSettingsEndpoints();
        api.MapAuditEndpoints();
        return endpoints;
    }
}
