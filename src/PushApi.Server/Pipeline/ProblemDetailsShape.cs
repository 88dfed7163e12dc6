using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using PushApi.Core.Errors;
using PushApi.Core.Features;
using PushApi.Core.Packages.Distribution;
using PushApi.Core.Push.Status;

namespace PushApi.Server.Pipeline;

/// <summary>
/// The native API's errors (and the default shape): problem details (RFC 9457) with the status that
/// fits each domain exception; anything unexpected is a 500 that says nothing of the internals.
/// </summary>
public sealed class ProblemDetailsShape : IErrorShape
{
    public const string InvalidSessionId = "INVALID_SESSION_ID";
    public const string InsufficientAccess = "INSUFFICIENT_ACCESS";
    public const string FeatureDisabled = "FEATURE_DISABLED";

    public static readonly ProblemDetailsShape Instance = new();

    public Task WriteUnauthenticatedAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Session expired or invalid", InvalidSessionId);
    }

    public Task WriteForbiddenAsync(HttpContext context) =>
        WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "Insufficient privileges: your user does not have the permission this operation needs.", InsufficientAccess);

    public Task WriteRateLimitedAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RateLimiting.RetryAfterSeconds;
        return WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests", "TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED");
    }

    public Task WriteStatusAsync(HttpContext context) =>
        WriteAsync(context, new ProblemDetails { Status = context.Response.StatusCode });

    public async Task<bool> WriteExceptionAsync(HttpContext context, Exception exception)
    {
        var problem = ToProblem(exception);
        context.Response.StatusCode = problem.Status!.Value;
        await WriteAsync(context, problem);
        return problem.Status == StatusCodes.Status500InternalServerError;
    }

    public static ProblemDetails ToProblem(Exception exception)
    {
        if (exception is RuleViolationException violation)
        {
            return RuleProblems(violation);
        }

        if (exception is ArchiveRejectedException rejected)
        {
            return InvalidPackageFile(rejected);
        }

        var (status, title, detail, errors) = Classify(exception);
        if (status is >= 400 and < 500)
        {
            detail = ClientText.Clean(detail);
            errors = errors?.GroupBy(e => ClientText.Clean(e.Key)).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).Select(ClientText.Clean).ToArray());
        }

        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new ValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value)) { Status = status, Title = title, Detail = detail };
        if (exception is ConflictException { ErrorCode: { } code })
        {
            problem.Extensions["errorCode"] = code;
        }

        if (exception is ForbiddenException forbidden)
        {
            problem.Extensions["errorCode"] = forbidden.ErrorCode;
        }

        if (exception is FeatureDisabledException disabled)
        {
            problem.Extensions["errorCode"] = FeatureDisabled;
            problem.Extensions["feature"] = disabled.Feature.Name;
        }

        return problem;
    }

    /// <summary>422 listing every broken rule: <c>problems: [{item: {type, name} | null, rule, message}]</c>.</summary>
    private static ProblemDetails RuleProblems(RuleViolationException violation) => new()
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Title = "Rules not met",
        Detail = violation.Message,
        Extensions =
        {
            ["errorCode"] = "RULES_NOT_MET",
            ["problems"] = violation.Problems
                .Select(p => new
                {
                    item = p.ItemType is null ? null : new { type = p.ItemType, name = p.ItemName },
                    rule = p.Rule,
                    message = p.Message,
                })
                .ToList(),
        },
    };

    /// <summary>A 400 whose <c>problems</c> extension lists each problem as <c>{code, entry, message}</c>, named here so no serializer policy renames them.</summary>
    private static ProblemDetails InvalidPackageFile(ArchiveRejectedException rejected) => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "Invalid package file",
        Detail = rejected.Message,
        Extensions =
        {
            ["problems"] = rejected.Problems
                .Select(p => new Dictionary<string, string?> { ["code"] = p.Code, ["entry"] = p.Entry, ["message"] = p.Message })
                .ToList(),
        },
    };

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail, string errorCode)
    {
        context.Response.StatusCode = status;
        await WriteAsync(context, new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = { ["errorCode"] = errorCode } });
    }

    /// <summary>Writes the problem when the client accepts JSON; otherwise the status alone answers.</summary>
    private static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static (int Status, string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors) Classify(Exception exception) => exception switch
    {
        NotFoundException e => (StatusCodes.Status404NotFound, "Not found", e.Message, null),
        ConflictException e => (StatusCodes.Status409Conflict, "Conflict", e.Message, null),
        ForbiddenException e => (StatusCodes.Status403Forbidden, "Forbidden", e.Message, null),
        InputException e => (StatusCodes.Status400BadRequest, "Invalid input", "One or more fields are invalid.", e.Errors),
        IllegalTransitionException e => (StatusCodes.Status409Conflict, "Illegal status change", e.Message, null),
        FeatureDisabledException e => (StatusCodes.Status403Forbidden, "Feature disabled", FeatureGate.HowToTurnOn(e.Feature), null),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, "Request body too large", "The request body is larger than this endpoint accepts.", null),
        BadHttpRequestException e => (StatusCodes.Status400BadRequest, "Bad request", BadRequests.Describe(e), null),
        JsonException e => (StatusCodes.Status400BadRequest, "Bad request", BadRequests.Describe(e), null),
        _ when TransientDatabaseErrors.Matches(exception) =>
            (StatusCodes.Status503ServiceUnavailable, "Database busy", "The database is busy (a lock conflict or a restart); nothing was saved. Retry the request.", null),
        _ => (StatusCodes.Status500InternalServerError, "Internal error", "The service failed to handle this request; the error has been logged.", null),
    };
}
