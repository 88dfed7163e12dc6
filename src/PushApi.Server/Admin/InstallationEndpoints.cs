using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Identity;
using PushApi.Core.Tenants;

namespace PushApi.Server.Admin;

/// <summary>Installs (PackageSubscriber rows): record an install or upgrade, or an uninstall.</summary>
public static class InstallationEndpoints
{
    public static RouteGroupBuilder MapInstallationEndpoints(this RouteGroupBuilder api)
    {
        var installations = api.MapGroup("/installations").WithTags("Installations").RequireAuthorization(Permissions.Admin);
        installations.MapPost("/", Install).Validate<InstallRequest>();
        installations.MapDelete("/{orgKey}/{packageId}", Uninstall);
        return api;
    }

    private static async Task<Ok<InstallationResponse>> Install(InstallRequest request, TenantAdministration tenants, CancellationToken cancellationToken) =>
        TypedResults.Ok(InstallationResponse.From(await tenants.InstallAsync(request.OrgKey!, request.PackageVersionId!, cancellationToken)));

    private static async Task<Ok<InstallationResponse>> Uninstall(string orgKey, string packageId, TenantAdministration tenants, CancellationToken cancellationToken) =>
        TypedResults.Ok(InstallationResponse.From(await tenants.UninstallAsync(orgKey, packageId, cancellationToken)));
}
