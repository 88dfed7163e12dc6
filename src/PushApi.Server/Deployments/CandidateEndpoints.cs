using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Deployments.Candidates;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Installs;

namespace PushApi.Server.Deployments;

/// <summary>A page of push candidates: the eligible matching tenants, the next page's <c>after</c>, how many match and are eligible, and the matching ones left out by reason.</summary>
public sealed record CandidatesResponse(IReadOnlyList<CandidateOrg> Items, string? Next, int Total, IReadOnlyDictionary<string, int> Hidden);

/// <summary>
/// Push candidates (<c>GET /api/v1/deployments/candidates</c>), the Schedule Push Upgrades page's target table: the
/// tenants a deployment of a version could reach, filtered by a partial name or an exact org id, by org type and by
/// installed version, keyset-paged by org key; the matching orgs it would leave out are counted by reason. A deployment
/// with <c>targets.filter</c> selects the same orgs.
/// </summary>
public static class CandidateEndpoints
{
    private const int MaxLimit = 1000;

    public static RouteGroupBuilder MapCandidates(this RouteGroupBuilder deployments)
    {
        deployments.MapGet("/candidates", ListAsync).RequireAuthorization(Permissions.Read)
            .WithSummary("The tenants a deployment of a version could reach (filter by search, orgType, installedVersionId), keyset-paged, with the hidden ones counted by reason.");
        return deployments;
    }

    private static async Task<Ok<CandidatesResponse>> ListAsync(
        string? packageVersionId, string? search, string? orgType, string? installedVersionId, string? installMode, string? after, string? limit, PushCandidates candidates, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(packageVersionId))
        {
            throw new InputException("packageVersionId", "The version to deploy (04t…) is required.");
        }

        var size = 50;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > MaxLimit))
        {
            throw new InputException("limit", $"The limit is a number from 1 to {MaxLimit:N0}.");
        }

        var filter = CandidateFilter.Parse(search, orgType, installedVersionId);
        var installs = InstallInput.Options(installMode, null, null).Installs;
        var page = await candidates.PageAsync(packageVersionId.Trim(), filter, after, size, installs, cancellationToken);
        return TypedResults.Ok(new CandidatesResponse(page.Items, page.Next, page.Total, page.Hidden));
    }
}
