using PushApi.Core.Identity;

namespace PushApi.Server.Rest;

/// <summary>
/// The mirrored Salesforce REST data API under <c>/services/data</c>. Every path needs a session
/// (401 <c>INVALID_SESSION_ID</c> without one); paths no resource answers are 404 <c>NOT_FOUND</c>.
/// </summary>
public static class DataApi
{
    public static IEndpointRouteBuilder MapDataApi(this IEndpointRouteBuilder endpoints)
    {
        var data = endpoints.MapGroup("/services/data").RequireAuthorization(Permissions.Read).ExcludeFromDescription();
        data.Map("/{**path}", (HttpContext context) =>
            RestErrors.WriteAsync(context, StatusCodes.Status404NotFound, RestErrors.NotFound, "The requested resource does not exist"));
        return endpoints;
    }
}
