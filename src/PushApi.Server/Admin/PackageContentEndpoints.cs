using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Packages.Contents;

namespace PushApi.Server.Admin;

/// <summary>
/// A package's contents: its items (<c>/api/v1/packages/{id}/items</c>), with what they pull in, and the
/// packages it needs (<c>/api/v1/packages/{id}/dependencies</c>).
/// </summary>
public static class PackageContentEndpoints
{
    public static RouteGroupBuilder MapPackageContentEndpoints(this RouteGroupBuilder api)
    {
        var packages = api.MapGroup("/packages/{packageId}").WithTags("Package contents");
        packages.MapGet("/items", ListItems).RequireAuthorization(Permissions.Read)
            .WithSummary("The package's working set: selected items and those they include, each with includedBy.");
        packages.MapPost("/items", AddItem).RequireAuthorization(Permissions.Admin)
            .WithSummary("Add an item {type, name, definition, options?}; its dependents are included automatically.");
        packages.MapPatch("/items/{itemId}", UpdateItem).RequireAuthorization(Permissions.Admin)
            .WithSummary("Change an item's definition or options (checkedOut, includeChildTeams).");
        packages.MapDelete("/items/{itemId}", RemoveItem).RequireAuthorization(Permissions.Admin)
            .WithSummary("Remove an item; what only it pulled in goes with it.");
        packages.MapGet("/dependencies", ListDependencies).RequireAuthorization(Permissions.Read)
            .WithSummary("The packages this package needs, with their minimum versions.");
        packages.MapPut("/dependencies", ReplaceDependencies).RequireAuthorization(Permissions.Admin)
            .WithSummary("Replace the packages this package needs: [{packageId, minimumVersion}]; a cycle is refused (422).");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<PackageItemView>>> ListItems(string packageId, PackageItems items, CancellationToken cancellationToken) =>
        TypedResults.Ok(await items.ListAsync(packageId, cancellationToken));

    private static async Task<Created<PackageItemView>> AddItem(string packageId, ItemInput? body, PackageItems items, CancellationToken cancellationToken)
    {
        var item = await items.AddAsync(packageId, body ?? throw new InputException("A JSON body is required."), cancellationToken);
        return TypedResults.Created($"/api/v1/packages/{packageId}/items/{item.Id}", item);
    }

    private static async Task<Ok<PackageItemView>> UpdateItem(string packageId, string itemId, UpdateItemRequest? body, PackageItems items, CancellationToken cancellationToken)
    {
        var request = body ?? throw new InputException("A JSON body is required.");
        return TypedResults.Ok(await items.UpdateAsync(packageId, itemId, request.Definition, request.Options, cancellationToken));
    }

    private static async Task<NoContent> RemoveItem(string packageId, string itemId, PackageItems items, CancellationToken cancellationToken)
    {
        await items.RemoveAsync(packageId, itemId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<DependencyView>>> ListDependencies(string packageId, PackageDependencies dependencies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await dependencies.ListAsync(packageId, cancellationToken));

    private static async Task<Ok<IReadOnlyList<DependencyView>>> ReplaceDependencies(
        string packageId, IReadOnlyList<DependencyInput>? body, PackageDependencies dependencies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await dependencies.ReplaceAsync(packageId, body ?? throw new InputException("A JSON array body is required."), cancellationToken));
}
