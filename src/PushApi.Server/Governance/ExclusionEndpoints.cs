using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Errors;
using PushApi.Core.Governance;
using PushApi.Core.Identity;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Governance;

/// <summary>The publisher's exclusion list: <c>POST|GET /api/v1/exclusions</c>, <c>DELETE /api/v1/exclusions/{id}</c>.</summary>
public static class ExclusionEndpoints
{
    private const int MaxPage = 1000;

    public static RouteGroupBuilder MapExclusionEndpoints(this RouteGroupBuilder api)
    {
        var exclusions = api.MapGroup("/exclusions").WithTags("Exclusions");
        exclusions.MapPost("/", Add).RequireAuthorization(Permissions.Admin)
            .WithSummary("Keep an org out of every push {orgKey, packageId?, reason, expiresAt?}: paths that add jobs leave it out (Excluded).");
        exclusions.MapGet("/", List).RequireAuthorization(Permissions.Read)
            .WithSummary("Exclusions in id order (orgKey=, packageId=, includeExpired=, after=, limit=).");
        exclusions.MapDelete("/{id}", Remove).RequireAuthorization(Permissions.Admin).WithSummary("Remove an exclusion.");
        return api;
    }

    private static async Task<Created<Exclusion>> Add(ExclusionInput? body, HttpContext context, Exclusions exclusions)
    {
        var added = await exclusions.AddAsync(body ?? throw new InputException("A JSON body is required."), context.User.UserId(), context.RequestAborted);
        return TypedResults.Created($"/api/v1/exclusions/{added.Id}", added);
    }

    private static async Task<Ok<ExclusionPage>> List(string? orgKey, string? packageId, bool? includeExpired, string? after, int? limit, Exclusions exclusions, CancellationToken cancellationToken)
    {
        var size = KeysetPaging.Limit(limit, 200, MaxPage);
        var from = KeysetPaging.After(after);
        var (items, next) = await exclusions.ListAsync(orgKey, packageId, includeExpired == true, from, size, cancellationToken);
        return TypedResults.Ok(new ExclusionPage(items, next?.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<NoContent> Remove(string id, Exclusions exclusions, CancellationToken cancellationToken)
    {
        var number = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new NotFoundException($"No exclusion has the id {id}.");
        await exclusions.RemoveAsync(number, cancellationToken);
        return TypedResults.NoContent();
    }
}

public sealed record ExclusionPage(IReadOnlyList<Exclusion> Items, string? NextAfter);
