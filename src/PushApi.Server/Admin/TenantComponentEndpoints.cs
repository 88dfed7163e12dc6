using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Installs;
using PushApi.Core.Packages.Contents;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Admin;

/// <summary>
/// A tenant's components and install plans: <c>/api/v1/tenants/{orgKey}/components</c> (list, add the tenant's
/// own, change) and <c>/api/v1/tenants/{orgKey}/install-plan?packageVersionId=</c> (what installing would do).
/// </summary>
public static class TenantComponentEndpoints
{
    private const int MaxPage = 1000;

    public static RouteGroupBuilder MapTenantComponentEndpoints(this RouteGroupBuilder api)
    {
        var tenants = api.MapGroup("/tenants/{orgKey}").WithTags("Tenant components");
        tenants.MapGet("/components", List).RequireAuthorization(Permissions.Read)
            .WithSummary("The tenant's components, packaged and its own, in id order (after=, limit=, packageId=, type=).");
        tenants.MapPost("/components", Add).RequireAuthorization(Permissions.Admin)
            .WithSummary("Add the tenant's own component {type, name, definition, parent?}; a field on a packaged object gets the org key appended to its apiName.");
        tenants.MapPatch("/components/{id}", Update).RequireAuthorization(Permissions.Admin)
            .WithSummary("Change a component's definition; a locked package's components answer 409 LOCKED.");
        tenants.MapGet("/install-plan", Plan).RequireAuthorization(Permissions.Read)
            .WithSummary("What installing the version would do: kind, create, update, overwrite, preserve, orphan, conflicts, counts.");
        return api;
    }

    private static async Task<Ok<ComponentPage>> List(
        string orgKey, string? packageId, string? type, string? after, int? limit, TenantComponents components, CancellationToken cancellationToken)
    {
        var size = KeysetPaging.Limit(limit, 200, MaxPage);
        long? from = after is null ? null : KeysetPaging.After(after);
        var (records, next) = await components.ListAsync(orgKey, packageId, type, from, size, cancellationToken);
        return TypedResults.Ok(new ComponentPage(records.Select(ComponentResponse.From).ToList(), next?.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<Created<ComponentResponse>> Add(string orgKey, AddComponentRequest? body, TenantComponents components, CancellationToken cancellationToken)
    {
        var request = body ?? throw new InputException("A JSON body is required.");
        var component = await components.AddAsync(orgKey, new ItemInput(request.Type, request.Name, request.Definition, null), request.Parent, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{orgKey}/components/{component.Id}", ComponentResponse.From(component));
    }

    private static async Task<Ok<ComponentResponse>> Update(string orgKey, string id, UpdateComponentRequest? body, TenantComponents components, CancellationToken cancellationToken)
    {
        var number = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new NotFoundException($"Tenant {orgKey} has no component {id}.");
        var request = body ?? throw new InputException("A JSON body is required.");
        return TypedResults.Ok(ComponentResponse.From(await components.UpdateAsync(orgKey, number, request.Definition, cancellationToken)));
    }

    private static async Task<Ok<InstallPlan>> Plan(string orgKey, string? packageVersionId, string? rolesMode, InstallVersion install, CancellationToken cancellationToken, [Microsoft.AspNetCore.Mvc.FromQuery] string[]? grantRoles = null) =>
        TypedResults.Ok(await install.PlanAsync(
            orgKey,
            packageVersionId ?? throw new InputException("packageVersionId", "packageVersionId is required."),
            InstallInput.Options(InstallModes.InstallOrUpgrade, rolesMode, grantRoles),
            cancellationToken));
}

public sealed record AddComponentRequest(string? Type, string? Name, JsonElement? Definition, string? Parent);

public sealed record UpdateComponentRequest(JsonElement? Definition);

public sealed record ComponentPage(IReadOnlyList<ComponentResponse> Records, string? NextAfter);

/// <summary>A component as the API shows it; <c>packageId</c>/<c>packageVersionId</c> only for packaged ones.</summary>
public sealed record ComponentResponse(
    string Id, string Type, string Name, string ApiName, string? Parent, string Origin, string? PackageId, string? PackageVersionId,
    JsonElement Definition, string? Sha256, bool Modified, bool Orphaned)
{
    public static ComponentResponse From(TenantComponent c)
    {
        using var document = JsonDocument.Parse(c.Definition);
        return new ComponentResponse(
            c.Id.ToString(CultureInfo.InvariantCulture),
            c.Type,
            c.Name,
            c.ApiName,
            c.Parent,
            c.Origin,
            c.PackageId is { } p ? Core.Ids.SalesforceId.Format(Core.Ids.KeyPrefixes.MetadataPackage, p) : null,
            c.PackageVersionId is { } v ? Core.Ids.SalesforceId.Format(Core.Ids.KeyPrefixes.MetadataPackageVersion, v) : null,
            document.RootElement.Clone(),
            c.Sha256,
            c.Modified,
            c.Orphaned);
    }
}
