using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using PushApi.Core.Deployments;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;
using PushApi.Server.Auth;

namespace PushApi.Server.Admin;

public sealed record DeploymentTargetsRequest(bool? All, IReadOnlyList<string>? OrgKeys, string? Where);

public sealed record DeploymentRequest(string? PackageVersionId, DeploymentTargetsRequest? Targets, DateTimeOffset? ScheduledStartTime, bool? NotifyTenants, bool? DryRun);

public sealed record RetryRequest(IReadOnlyList<string>? ErrorTypes, IReadOnlyList<string>? ExcludeTitles, bool? DryRun);

public sealed record DeploymentResponse(string? Id, bool Created, bool DryRun, string? RetryOf, EligibilityReport Report);

public sealed record DeploymentProgressResponse(
    string Id,
    string PackageVersionId,
    string? PackageVersionName,
    string Status,
    DateTimeOffset? ScheduledStartTime,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    DateTimeOffset? CreatedAt,
    string? RetryOf,
    bool NotifyTenants,
    bool Cancelable,
    JobCounts Jobs);

public sealed record DeploymentListResponse(IReadOnlyList<DeploymentProgressResponse> Items, string? Next);

public sealed record FailuresResponse(int Total, IReadOnlyList<FailureGroup> Groups, IReadOnlyList<DeploymentFailure> Failures, string? Next);

public sealed record DeploymentJob(string Id, string OrgKey, string? OrgName, string Status, DateTimeOffset? StartTime, DateTimeOffset? EndTime);

public sealed record DeploymentJobsResponse(IReadOnlyList<DeploymentJob> Items, string? Next);

/// <summary>
/// Mass deployment (native API): deploy a version to all, listed or matching tenants (with a dry run
/// that only reports who would be left out and why), follow it, cancel it, retry its failures, and
/// read its failures as JSON or CSV. A deployment's id is its push request's (0DV…).
/// </summary>
public static class DeploymentEndpoints
{
    private const int MaxPage = 5000;

    public static RouteGroupBuilder MapDeploymentEndpoints(this RouteGroupBuilder api)
    {
        var deployments = api.MapGroup("/deployments").WithTags("Deployments");
        deployments.MapPost("/", CreateAsync).RequireAuthorization(Permissions.PushUpgrade)
            .WithSummary("Deploy a version to all tenants, a list or a SOQL condition; dryRun only reports eligibility.");
        deployments.MapGet("/", ListAsync).RequireAuthorization(Permissions.Read).WithSummary("Deployments (push requests), newest first, with progress.");
        deployments.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.Read).WithSummary("A deployment's status and progress.");
        deployments.MapGet("/{id}/jobs", JobsAsync).RequireAuthorization(Permissions.Read).WithSummary("A deployment's jobs, filterable by status, 1,000 a page.");
        deployments.MapPost("/{id}/cancel", CancelAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Cancel a Created or Pending deployment.");
        deployments.MapPost("/{id}/retry", RetryAsync).RequireAuthorization(Permissions.PushUpgrade)
            .WithSummary("Deploy again to the failed tenants that are still eligible (optionally by error type, excluding titles).");
        deployments.MapGet("/{id}/failures", FailuresAsync).RequireAuthorization(Permissions.Read)
            .WithSummary("Failed tenants with their first error and counts by type and title; CSV with Accept: text/csv or ?format=csv.");
        return api;
    }

    private static async Task<IResult> CreateAsync(DeploymentRequest body, HttpContext context, Deployments deployments)
    {
        var targets = body.Targets ?? throw new InputException("targets", "Say whom to deploy to: {\"all\": true}, {\"orgKeys\": [...]} or {\"where\": \"<SOQL condition on PackageSubscriber>\"}.");
        var given = (targets.All == true ? 1 : 0) + (targets.OrgKeys is not null ? 1 : 0) + (targets.Where is not null ? 1 : 0);
        if (given != 1)
        {
            throw new InputException("targets", "Give exactly one of all (true), orgKeys or where.");
        }

        if (targets.OrgKeys is { Count: 0 or > 100_000 })
        {
            throw new InputException("targets.orgKeys", "List between 1 and 100,000 org keys.");
        }

        if (targets.Where is { } where && (string.IsNullOrWhiteSpace(where) || where.Length > 20_000))
        {
            throw new InputException("targets.where", "The condition must be non-empty SOQL of at most 20,000 characters.");
        }

        if (string.IsNullOrWhiteSpace(body.PackageVersionId))
        {
            throw new InputException("packageVersionId", "The version to deploy (04t…) is required.");
        }

        var input = new DeploymentInput(body.PackageVersionId, new DeploymentTargets(targets.All == true, targets.OrgKeys, targets.Where), body.ScheduledStartTime, body.NotifyTenants == true, body.DryRun == true);
        var result = await deployments.CreateAsync(input, context.User.UserId(), context.RequestAborted);
        return Answer(result);
    }

    private static async Task<IResult> RetryAsync(string id, RetryRequest? body, HttpContext context, Deployments deployments)
    {
        var result = await deployments.RetryAsync(id, body?.ErrorTypes, body?.ExcludeTitles, body?.DryRun == true, context.User.UserId(), context.RequestAborted);
        return Answer(result);
    }

    private static IResult Answer(DeploymentResult result)
    {
        var response = new DeploymentResponse(result.Id, result.Created, result.DryRun, result.RetryOf, result.Report);
        if (result.Created)
        {
            return TypedResults.Created($"/api/v1/deployments/{result.Id}", response);
        }

        if (result.DryRun)
        {
            return TypedResults.Ok(response);
        }

        return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Nothing to deploy",
            Detail = $"None of the {result.Report.Targeted:N0} targeted tenants can be upgraded; nothing was created. The report says why.",
            Extensions = { ["report"] = result.Report },
        });
    }

    private static async Task<Ok<DeploymentProgressResponse>> GetAsync(string id, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var (items, _) = await ReadAsync(dataSource, SalesforceId.TryParseNumber(id, KeyPrefixes.PackagePushRequest, out var number) ? number : throw new NotFoundException($"No deployment has the id {id}."), single: true, 1, cancellationToken);
        return TypedResults.Ok(items.SingleOrDefault() ?? throw new NotFoundException($"No deployment has the id {id}."));
    }

    private static async Task<Ok<DeploymentListResponse>> ListAsync(NpgsqlDataSource dataSource, string? before, int? limit, CancellationToken cancellationToken)
    {
        var beforeNumber = long.MaxValue;
        if (before is not null && !SalesforceId.TryParseNumber(before, KeyPrefixes.PackagePushRequest, out beforeNumber))
        {
            throw new InputException("before", $"'{before}' is not a deployment id (0DV…).");
        }

        var (items, more) = await ReadAsync(dataSource, beforeNumber, single: false, Math.Clamp(limit ?? 50, 1, 500), cancellationToken);
        return TypedResults.Ok(new DeploymentListResponse(items, more ? items[^1].Id : null));
    }

    private static async Task<(List<DeploymentProgressResponse> Items, bool More)> ReadAsync(NpgsqlDataSource dataSource, long key, bool single, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT r.id, r.package_version_id, {Core.Packages.PackageVersion.DisplayNameSql("v", "p")}, r.status, r.scheduled_start_time, r.start_time, r.end_time, r.created_at, r.retry_of, r.notify_tenants,
                   r.job_count, r.succeeded_count, r.failed_count, r.canceled_count
            FROM push_requests r JOIN package_versions v ON v.id = r.package_version_id JOIN packages p ON p.id = v.package_id
            WHERE {(single ? "r.id = $1" : "r.id < $1")}
            ORDER BY r.id DESC LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        var items = new List<DeploymentProgressResponse>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
            var status = reader.GetString(3);
            var (total, succeeded, failed, canceled) = (reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12), reader.GetInt32(13));
            items.Add(new DeploymentProgressResponse(
                SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(0)),
                SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, reader.GetInt64(1)),
                reader.GetString(2),
                status,
                Time(4),
                Time(5),
                Time(6),
                Time(7),
                reader.IsDBNull(8) ? null : SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(8)),
                reader.GetBoolean(9),
                status is "Created" or "Pending",
                new JobCounts(total, succeeded, failed, canceled, total - succeeded - failed - canceled)));
        }

        var more = items.Count > limit;
        return (more ? items[..limit] : items, more);
    }

    private static async Task<Ok<DeploymentJobsResponse>> JobsAsync(string id, string? status, string? after, int? limit, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!SalesforceId.TryParseNumber(id, KeyPrefixes.PackagePushRequest, out var request))
        {
            throw new NotFoundException($"No deployment has the id {id}.");
        }

        if (status is not null && !PushStatuses.TryParse(status, out _))
        {
            throw new InputException("status", $"'{status}' is not a job status (Created, Pending, In Progress, Succeeded, Failed, Canceled).");
        }

        var afterNumber = 0L;
        if (after is not null && !SalesforceId.TryParseNumber(after, KeyPrefixes.PackagePushJob, out afterNumber))
        {
            throw new InputException("after", $"'{after}' is not a job id (0DX…).");
        }

        var pageSize = Math.Clamp(limit ?? 1000, 1, MaxPage);
        await using var command = dataSource.CreateCommand(
            """
            SELECT j.id, j.org_key, t.org_name, j.status, j.start_time, j.end_time
            FROM push_jobs j LEFT JOIN tenants t ON t.org_key = j.org_key
            WHERE j.request_id = $1 AND j.id > $2 AND ($3::text IS NULL OR j.status = $3)
            ORDER BY j.id LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = request });
        command.Parameters.Add(new NpgsqlParameter { Value = afterNumber });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = pageSize + 1 });
        var jobs = new List<DeploymentJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new DeploymentJob(
                SalesforceId.Format(KeyPrefixes.PackagePushJob, reader.GetInt64(0)), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }

        var more = jobs.Count > pageSize;
        return TypedResults.Ok(new DeploymentJobsResponse(more ? jobs[..pageSize] : jobs, more ? jobs[pageSize - 1].Id : null));
    }

    private static async Task<IResult> CancelAsync(string id, DmlService dml, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var result = (await dml.UpdateAsync(Core.Catalog.SObjectCatalog.PackagePushRequest, [new Dictionary<string, object?> { ["Id"] = id, ["Status"] = "Canceled" }], allOrNone: true, cancellationToken))[0];
        if (!result.Success)
        {
            var error = result.Errors[0];
            if (error.StatusCode is ErrorCodes.EntityIsDeleted or ErrorCodes.MalformedId)
            {
                throw new NotFoundException($"No deployment has the id {id}.");
            }

            throw new ConflictException(error.Message);
        }

        return TypedResults.Ok((await ReadAsync(dataSource, SalesforceId.TryParseNumber(id, KeyPrefixes.PackagePushRequest, out var number) ? number : 0, single: true, 1, cancellationToken)).Items.Single());
    }

    private static async Task<IResult> FailuresAsync(string id, string? format, string? after, int? limit, HttpContext context, Deployments deployments)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            || context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
        if (csv)
        {
            // An unknown id throws before anything is written, so it is answered as a problem.
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"deployment-{id}-failures.csv\"";
            await deployments.WriteFailuresCsvAsync(id, context.Response.Body, context.RequestAborted);
            return Results.Empty;
        }

        var (groupCounts, failures, next) = await deployments.FailuresAsync(id, after, Math.Clamp(limit ?? 1000, 1, MaxPage), context.RequestAborted);
        return TypedResults.Ok(new FailuresResponse(groupCounts.Sum(g => g.Count), groupCounts, failures, next));
    }
}
