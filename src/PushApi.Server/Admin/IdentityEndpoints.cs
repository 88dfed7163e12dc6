using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Identity;

namespace PushApi.Server.Admin;

/// <summary>Users and API clients (admin only): <c>/api/v1/users</c>, <c>/api/v1/api-clients</c>.</summary>
public static class IdentityEndpoints
{
    public static RouteGroupBuilder MapIdentityEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(Permissions.Admin);
        users.MapPost("/", CreateUser).Validate<CreateUserRequest>();
        users.MapGet("/", ListUsers);

        // Any signed-in user may ask who they are and what they may do (the console disables what they may not).
        api.MapGet("/me", Me).WithTags("Users").RequireAuthorization().WithSummary("The signed-in user: username and permissions (with the ones they include).");

        var clients = api.MapGroup("/api-clients").WithTags("Users").RequireAuthorization(Permissions.Admin);
        clients.MapPost("/", CreateApiClient).Validate<CreateApiClientRequest>();
        clients.MapGet("/", ListApiClients);
        clients.MapApiClientOAuthEndpoints();
        users.MapUserRefreshTokenEndpoints();
        return api;
    }

    private static Ok<MeResponse> Me(HttpContext context)
    {
        var granted = context.User.FindAll(Pipeline.PushApiClaims.Permission).Select(c => c.Value).ToList();
        return TypedResults.Ok(new MeResponse(context.User.Identity?.Name ?? "", granted, [.. Permissions.All.Where(Permissions.Effective(granted).Contains)]));
    }

    private static async Task<Created<UserResponse>> CreateUser(CreateUserRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var user = await accounts.CreateUserAsync(request.Username!, request.Password!, request.Permissions!, request.FullName, request.Email, cancellationToken);
        return TypedResults.Created($"/api/v1/users/{user.SalesforceId}", UserResponse.From(user));
    }

    private static async Task<Ok<List<UserResponse>>> ListUsers(UserAccounts accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok((await accounts.ListUsersAsync(cancellationToken)).Select(UserResponse.From).ToList());

    private static async Task<Created<ApiClientResponse>> CreateApiClient(CreateApiClientRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var issued = await accounts.CreateApiClientAsync(request.Name!, request.Permissions!, request.Certificate, request.CallbackUrls ?? [], cancellationToken);
        return TypedResults.Created($"/api/v1/api-clients/{issued.Client.ClientId}", ApiClientResponse.From(issued.Client, issued.ClientSecret));
    }

    private static async Task<Ok<List<ApiClientResponse>>> ListApiClients(UserAccounts accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok((await accounts.ListApiClientsAsync(cancellationToken)).Select(c => ApiClientResponse.From(c)).ToList());
}

/// <summary>The signed-in user: the permissions granted and, in <c>effective</c>, those plus the ones they include.</summary>
public sealed record MeResponse(string Username, IReadOnlyList<string> Permissions, IReadOnlyList<string> Effective);
