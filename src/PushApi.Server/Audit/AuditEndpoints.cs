using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Audit;
using PushApi.Core.Errors;
using PushApi.Core.Identity;

namespace PushApi.Server.Audit;

/// <summary><c>GET /api/v1/audit</c>: the audit log, newest first, in keyset pages (admin only).</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", ListAsync).RequireAuthorization(Permissions.Admin).WithTags("Audit")
            .ProducesValidationProblem()
            .WithSummary("The audit log, newest first: who changed what, when, from which address (every state-changing call of every front end, and logins). " +
                "Pages of `limit` (1-1000, default 100); pass a page's `nextAfter` as `after` for the next. Filters: `action` (prefix, e.g. `login.` or `POST /api/v1/tenants`), " +
                "`user` (username), `since` and `until` (ISO 8601).");
        return api;
    }

    private static async Task<Ok<AuditPage>> ListAsync(AuditLog log, string? after, string? limit, string? action, string? user, string? since, string? until, CancellationToken cancellationToken)
    {
        var query = Parse(after, limit, action, user, since, until);
        var page = await log.ListAsync(query, cancellationToken);
        var next = page.Count == query.Limit ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditPage(page.Select(AuditEntryResponse.From).ToList(), next));
    }

    /// <summary>The query the parameters ask for; every parameter that can't be read is a field error.</summary>
    public static AuditQuery Parse(string? after, string? limit, string? action, string? user, string? since, string? until)
    {
        var errors = new Dictionary<string, string[]>();
        long? before = null;
        if (after is not null)
        {
            if (long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                before = id;
            }
            else
            {
                errors["after"] = [$"after must be the nextAfter of a previous page (a positive number), not '{after}'."];
            }
        }

        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}, not '{limit}'."];
        }

        var from = Moment("since", since, errors);
        var to = Moment("until", until, errors);
        if (from is not null && to is not null && to <= from)
        {
            errors["until"] = ["until must be later than since."];
        }

        return errors.Count > 0
            ? throw new InputException(errors)
            : new AuditQuery(size) { Before = before, ActionPrefix = Blank(action), Username = Blank(user), Since = from, Until = to };
    }

    private static DateTimeOffset? Moment(string name, string? value, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment))
        {
            return moment;
        }

        errors[name] = [$"{name} must be an ISO 8601 date or time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z, not '{value}'."];
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A page of the audit log; <see cref="NextAfter"/> is null on the last page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Records, string? NextAfter);

/// <summary>
/// One audit entry: when, who (<c>userId</c> null for a failed login, whose tried name is in
/// <c>username</c>), from which <c>clientAddress</c>, the <c>action</c>, the HTTP call and its status, a short <c>target</c> id.
/// </summary>
public sealed record AuditEntryResponse(
    long Id,
    DateTimeOffset OccurredAt,
    string? UserId,
    string? Username,
    string? ClientAddress,
    string Action,
    string? Method,
    string? Path,
    int? StatusCode,
    string? Target,
    string? Detail)
{
    public static AuditEntryResponse From(AuditEntry entry) => new(
        entry.Id,
        entry.OccurredAt,
        entry.UserId is { } id ? Core.Ids.SalesforceId.Format(Core.Ids.KeyPrefixes.User, id) : null,
        entry.Username,
        entry.ClientAddress,
        entry.Action,
        entry.Method,
        entry.Path,
        entry.StatusCode,
        entry.Target,
        entry.Detail);
}
