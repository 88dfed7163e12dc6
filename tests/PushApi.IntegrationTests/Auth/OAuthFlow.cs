using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Auth;

/// <summary>The web-server flow as a browser and a client drive it over HTTP: the login form posted, the code exchanged.</summary>
public sealed class OAuthFlow(PushApiServer server) : IDisposable
{
    // A plain client on the server's real port: it must see the redirects, not follow them.
    private readonly HttpClient _browser = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };

    public static string NewVerifier() => Base64Url(RandomNumberGenerator.GetBytes(96));

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>GET of the authorization URL.</summary>
    public Task<HttpResponseMessage> ShowAsync(string query) => _browser.GetAsync("/services/oauth2/authorize?" + query);

    /// <summary>Posts the login form; returns the answer (a redirect on success).</summary>
    public Task<HttpResponseMessage> LoginAsync(IDictionary<string, string> parameters, string username = PushApiServer.AdminUsername, string password = PushApiServer.AdminPassword) =>
        _browser.PostAsync("/services/oauth2/authorize", new FormUrlEncodedContent(new Dictionary<string, string>(parameters) { ["username"] = username, ["password"] = password }));

    /// <summary>Logs the admin in through the form and returns the code the redirect carries (asserting the state came back).</summary>
    public async Task<string> CodeAsync(string clientId, string redirectUri, string? challenge)
    {
        var parameters = new Dictionary<string, string> { ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = redirectUri, ["state"] = "st-1" };
        if (challenge is not null)
        {
            parameters["code_challenge"] = challenge;
        }

        using var answer = await LoginAsync(parameters);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await answer.Content.ReadAsStringAsync());
        var location = answer.Headers.Location!.ToString();
        Assert.That(location, Does.StartWith(redirectUri + "?code="));
        Assert.That(location, Does.EndWith("&state=st-1"));
        return Uri.UnescapeDataString(location[(redirectUri.Length + "?code=".Length)..location.IndexOf("&state=", StringComparison.Ordinal)]);
    }

    /// <summary>POST to the token endpoint.</summary>
    public async Task<JsonElement> TokenAsync(IDictionary<string, string> form, HttpStatusCode expected) =>
        await _browser.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(form)).ExpectAsync(expected);

    /// <summary>The code exchange as jsforce sends it.</summary>
    public Task<JsonElement> ExchangeAsync(string code, string clientId, string redirectUri, string? verifier, HttpStatusCode expected, string? secret = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = clientId, ["redirect_uri"] = redirectUri };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }

        if (secret is not null)
        {
            form["client_secret"] = secret;
        }

        return TokenAsync(form, expected);
    }

    public Task<JsonElement> RefreshAsync(string refreshToken, string clientId, HttpStatusCode expected, string secret = "") =>
        TokenAsync(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = clientId, ["client_secret"] = secret }, expected);

    public Task<HttpResponseMessage> RevokeAsync(string token) =>
        _browser.PostAsync("/services/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));

    /// <summary>The status of userinfo with this access token.</summary>
    public async Task<HttpStatusCode> UserInfoStatusAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/services/oauth2/userinfo");
        request.Headers.Authorization = new("Bearer", accessToken);
        using var answer = await _browser.SendAsync(request);
        return answer.StatusCode;
    }

    public void Dispose() => _browser.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
