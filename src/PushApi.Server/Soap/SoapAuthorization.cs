using Microsoft.AspNetCore.Authorization;
using PushApi.Core.Identity;

namespace PushApi.Server.Soap;

/// <summary>
/// What a SOAP operation needs, decided by the same authorization policies as the REST endpoints:
/// login nothing, reads the Read policy, writes the PushUpgrade policy, the rest a session. A call that
/// could not be read passes, so that its endpoint answers with the fault that says why.
/// </summary>
public sealed class SoapOperationRequirement : IAuthorizationRequirement
{
    public const string Policy = "soap-operation";

    /// <summary>The permission policy an operation needs; null for those that need only a session.</summary>
    public static string? PermissionOf(string operation) => operation switch
    {
        "create" or "update" or "upsert" or "delete" => Permissions.PushUpgrade,
        "retrieve" or "query" or "queryAll" or "queryMore" or "describeGlobal" or "describeSObject" or "describeSObjects" => Permissions.Read,
        _ => null,
    };
}

public sealed class SoapOperationAuthorization : AuthorizationHandler<SoapOperationRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, SoapOperationRequirement requirement)
    {
        if (context.Resource is not HttpContext http || http.Features.Get<SoapRequest>() is not { } request)
        {
            return;
        }

        if (request.Call is null || request.Operation == "login")
        {
            context.Succeed(requirement);
            return;
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var permission = SoapOperationRequirement.PermissionOf(request.Operation!);
        // The authorization service is taken per request: it depends on the handlers, this one among them.
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        if (permission is null || (await authorization.AuthorizeAsync(context.User, permission)).Succeeded)
        {
            context.Succeed(requirement);
        }
    }
}
