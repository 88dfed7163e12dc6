using System.Security.Claims;
using Microsoft.Extensions.Options;
using PushApi.Core.Identity;
using PushApi.Server.Audit;
using PushApi.Server.Auth;
using PushApi.Server.Pipeline;
using static PushApi.Server.Soap.SoapElements;

namespace PushApi.Server.Soap;

/// <summary>login (the same login sequence as the OAuth token endpoint), logout, getUserInfo and getServerTimestamp.</summary>
public sealed class SoapSessionOperations(
    LoginSequence login,
    UserAccounts accounts,
    SessionStore sessions,
    PublisherOrganization organization,
    TimeProvider clock,
    IOptions<IdentityOptions> identity)
{
    public async Task<byte[]> LoginAsync(HttpContext context, SoapCall call, string version, CancellationToken cancellationToken)
    {
        var username = Text(call.Body, "username") ?? "";
        var password = Text(call.Body, "password") ?? "";
        var address = context.Connection.RemoteIpAddress?.ToString();
        var trail = context.Audit();
        trail.Action = LoginAudit.Failed;
        trail.Username = username;
        trail.Detail = $"SOAP login ({call.Api.Name})";
        if (login.CheckAttempt(address, username) is not null)
        {
            throw new SoapFaultException(SoapFaultCodes.InvalidLogin, "Invalid username, password, security token; or user locked out. Too many login attempts: try again later.", "LoginFault");
        }

        var user = await login.VerifyPasswordAsync(username, password, address, cancellationToken)
            ?? throw new SoapFaultException(SoapFaultCodes.InvalidLogin, "Invalid username, password, security token; or user locked out.", "LoginFault");
        var token = await login.OpenSessionAsync(user.Id, null, address, cancellationToken);
        trail.Action = LoginAudit.Succeeded;
        trail.UserId = user.Id;
        var org = await organization.GetAsync();
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("loginResponse");
            w.Start("result");
            w.Element("metadataServerUrl", $"{baseUrl}/services/Soap/m/{version}/{org.Id.Value}");
            w.Element("passwordExpired", false);
            w.Element("sandbox", false);
            w.Element("serverUrl", $"{baseUrl}{call.Api.EndpointPath(version)}/{org.Id.Value}");
            w.Element("sessionId", token);
            w.Element("userId", user.SalesforceId);
            WriteUserInfo(w, "userInfo", user, org);
            w.End();
            w.End();
        });
    }

    public async Task<byte[]> LogoutAsync(SoapApi api, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        await sessions.RevokeAsync(user.SessionNumber(), cancellationToken);
        return SoapWriter.Render(api, w =>
        {
            w.Start("logoutResponse");
            w.End();
        });
    }

    public async Task<byte[]> GetUserInfoAsync(SoapApi api, ClaimsPrincipal session, CancellationToken cancellationToken)
    {
        var user = await accounts.FindAsync(session.UserId(), cancellationToken) ?? throw SoapFaultCodes.InvalidSession();
        var org = await organization.GetAsync();
        return SoapWriter.Render(api, w =>
        {
            w.Start("getUserInfoResponse");
            WriteUserInfo(w, "result", user, org);
            w.End();
        });
    }

    public byte[] ServerTimestamp(SoapApi api) => SoapWriter.Render(api, w =>
    {
        w.Start("getServerTimestampResponse");
        w.Start("result");
        w.Element("timestamp", SoapWriter.FormatDateTime(clock.GetUtcNow()));
        w.End();
        w.End();
    });

    /// <summary>GetUserInfoResult, elements in the WSDL's (alphabetical) order.</summary>
    private void WriteUserInfo(SoapWriter w, string element, User user, OrganizationInfo org)
    {
        w.Start(element);
        w.Element("accessibilityMode", false);
        w.Element("chatterExternal", false);
        w.Element("currencySymbol", null);
        w.Element("orgAttachmentFileSizeLimit", 5242880);
        w.Element("orgDefaultCurrencyIsoCode", null);
        w.Element("orgDefaultCurrencyLocale", null);
        w.Element("orgDisallowHtmlAttachments", false);
        w.Element("orgHasPersonAccounts", false);
        w.Element("organizationId", org.Id18);
        w.Element("organizationMultiCurrency", false);
        w.Element("organizationName", org.Name);
        w.Element("profileId", null);
        w.Element("roleId", null);
        w.Element("sessionSecondsValid", (int)identity.Value.SessionIdleTimeout.TotalSeconds);
        w.Element("userDefaultCurrencyIsoCode", null);
        w.Element("userEmail", user.Email ?? user.Username);
        w.Element("userFullName", user.FullName ?? user.Username);
        w.Element("userId", user.SalesforceId);
        w.Element("userLanguage", "en_US");
        w.Element("userLocale", "en_US");
        w.Element("userName", user.Username);
        w.Element("userTimeZone", "GMT");
        w.Element("userType", "Standard");
        w.Element("userUiSkin", "Theme3");
        w.End();
    }
}
