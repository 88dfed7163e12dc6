using System.Text.Json;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Auth;

/// <summary>
/// Who a token belongs to: <c>GET /services/oauth2/userinfo</c> (OpenID Connect claims; the sf CLI's
/// <c>org login access-token</c> reads <c>user_id</c> and <c>organization_id</c>) and the identity URL
/// <c>GET /id/{orgId}/{userId}</c> that a token response's <c>id</c> points to.
/// </summary>
public static class IdentityService
{
    public static IEndpointRouteBuilder MapIdentityService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/services/oauth2/userinfo", ["GET", "POST"], UserInfoAsync)
            .RequireAuthorization()
            .WithMetadata(SalesforceRestShape.Instance)
            .WithTags("Authentication")
            .WithSummary("The token's user: user_id, organization_id, preferred_username and the API URLs.");
        endpoints.MapGet("/id/{orgId}/{userId}", IdentityAsync)
            .RequireAuthorization()
            .WithMetadata(ProblemDetailsShape.Instance)
            .WithTags("Authentication")
            .WithSummary("The identity URL of a token response: the token's own user only.");
        return endpoints;
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context, UserAccounts accounts, PublisherOrganization organization)
    {
        var (user, org) = await LoadAsync(context, accounts, organization);
        return Answer(context, user, org, Shape.UserInfo);
    }

    private static async Task<IResult> IdentityAsync(string orgId, string userId, HttpContext context, UserAccounts accounts, PublisherOrganization organization)
    {
        var (user, org) = await LoadAsync(context, accounts, organization);
        if (!SameId(orgId, org.Id18) || !SameId(userId, user.SalesforceId))
        {
            return RestWriter.Errors(StatusCodes.Status403Forbidden, [new Core.Errors.SaveError("Bad_Id", "The identity URL names another user or organization than the token's.")]);
        }

        return Answer(context, user, org, Shape.Identity);
    }

    /// <summary>The user as userinfo (OpenID Connect names) or the identity URL (Salesforce's names) describes it.</summary>
    private static RestJsonResult Answer(HttpContext context, User user, OrganizationInfo org, Shape shape)
    {
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString(shape.Id, $"{baseUrl}/id/{org.Id18}/{user.SalesforceId}");
            if (shape == Shape.Identity)
            {
                writer.WriteBoolean("asserted_user", true);
            }

            writer.WriteString("user_id", user.SalesforceId);
            writer.WriteString("organization_id", org.Id18);
            writer.WriteString(shape.Username, user.Username);
            writer.WriteString(shape.Nickname, user.Username.Split('@')[0]);
            writer.WriteString(shape.Name, user.FullName ?? user.Username);
            writer.WriteString("email", user.Email ?? user.Username);
            writer.WriteBoolean("email_verified", false);
            writer.WriteString(shape.TimeZone, "GMT");
            writer.WriteBoolean("active", user.IsActive);
            writer.WriteString("user_type", "STANDARD");
            writer.WriteString("language", "en_US");
            writer.WriteString("locale", "en_US");
            writer.WriteNumber("utcOffset", 0);
            writer.WriteString(shape.Modified, RestWriter.FormatDateTime(user.SystemModstamp));
            WriteUrls(writer, baseUrl, org.Id18, user.SalesforceId);
            writer.WriteEndObject();
        });
    }

    private static async Task<(User User, OrganizationInfo Org)> LoadAsync(HttpContext context, UserAccounts accounts, PublisherOrganization organization)
    {
        var user = await accounts.FindAsync(context.User.UserId(), context.RequestAborted)
            ?? throw new Core.Errors.NotFoundException("The token's user no longer exists.");
        return (user, await organization.GetAsync());
    }

    private static bool SameId(string sent, string id18) =>
        SalesforceId.TryParse(sent, out var parsed) && string.Equals(parsed.Id18, id18, StringComparison.Ordinal);

    private static void WriteUrls(Utf8JsonWriter writer, string baseUrl, string orgId, string userId)
    {
        writer.WriteStartObject("urls");
        writer.WriteString("enterprise", $"{baseUrl}/services/Soap/c/{{version}}/{orgId}");
        writer.WriteString("partner", $"{baseUrl}/services/Soap/u/{{version}}/{orgId}");
        writer.WriteString("rest", $"{baseUrl}/services/data/v{{version}}/");
        writer.WriteString("sobjects", $"{baseUrl}/services/data/v{{version}}/sobjects/");
        writer.WriteString("query", $"{baseUrl}/services/data/v{{version}}/query/");
        writer.WriteString("profile", $"{baseUrl}/{userId}");
        writer.WriteString("custom_domain", baseUrl);
        writer.WriteEndObject();
    }

    /// <summary>The property names that differ between the two descriptions of a user.</summary>
    private sealed record Shape(string Id, string Username, string Nickname, string Name, string TimeZone, string Modified)
    {
        public static readonly Shape UserInfo = new("sub", "preferred_username", "nickname", "name", "zoneinfo", "updated_at");
        public static readonly Shape Identity = new("id", "username", "nick_name", "display_name", "timezone", "last_modified_date");
    }
}
