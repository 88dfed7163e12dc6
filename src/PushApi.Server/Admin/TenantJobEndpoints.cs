using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Identity;
using PushApi.Core.Tenants;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Admin;

/// <summary>A tenant's push jobs (<c>GET /api/v1/tenants/{orgKey}/jobs</c>): every deployment's job for the org, newest first, with its errors.</summary>
public static class TenantJobEndpoints
{
    private const int MaxPage = 500;

    public static RouteGroupBuilder MapTenantJobEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/tenants/{orgKey}/jobs", List).RequireAuthorization(Permissions.Read).WithTags("Tenants")
            .WithSummary("The tenant's push jobs of every deployment, newest first, with the deployment, version, status, times and errors (after=, limit= 1-500, default 50).");
        return api;
    }

    private static async Task<Ok<TenantJobPage>> List(string orgKey, string? after, int? limit, TenantJobs jobs, CancellationToken cancellationToken)
    {
        var (records, next) = await jobs.PageAsync(orgKey, after, KeysetPaging.Limit(limit, 50, MaxPage), cancellationToken);
        return TypedResults.Ok(new TenantJobPage(records, next));
    }
}
