using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>Without a token nothing is answered; a Read user reads but cannot write; admins do everything.</summary>
public class AuthorizationTests() : ApiFixture("authz")
{
    private static readonly (string Method, string Path, object? Body)[] Writes =
    [
        ("POST", "/api/v1/packages", new { name = "P" }),
        ("POST", "/api/v1/packages/033000000000001AAA/versions", new { name = "v", majorVersion = 1, minorVersion = 0, releaseState = "Released" }),
        ("PATCH", "/api/v1/versions/04t000000000001AAA", new { isDeprecated = true }),
        ("POST", "/api/v1/tenants", new { orgName = "T", orgType = "Production", orgStatus = "Active" }),
        ("POST", "/api/v1/tenants/import", Array.Empty<object>()),
        ("PATCH", "/api/v1/tenants/00D000000000001", new { orgName = "T" }),
        ("POST", "/api/v1/installations", new { orgKey = "00D000000000001", packageVersionId = "04t000000000001AAA" }),
        ("DELETE", "/api/v1/installations/00D000000000001/033000000000001AAA", null),
        ("POST", "/api/v1/users", new { username = "x@y.z", password = "Password-1", permissions = new[] { "Admin" } }),
        ("GET", "/api/v1/users", null),
        ("POST", "/api/v1/api-clients", new { name = "c", permissions = new[] { "Admin" } }),
        ("GET", "/api/v1/api-clients", null),
    ];

    private static readonly string[] Reads = ["/api/v1/packages", "/api/v1/tenants", "/api/v1/packages/033000000000001AAA/versions"];

    private static HttpRequestMessage Request(string method, string path, object? body) => new(new HttpMethod(method), path)
    {
        Content = body is null ? null : JsonContent.Create(body),
    };

    [Test]
    public async Task Without_a_token_every_native_endpoint_is_401()
    {
        using var anonymous = Server.Anonymous();
        foreach (var (method, path, body) in Writes.Concat(Reads.Select(r => ("GET", r, (object?)null))))
        {
            using var response = await anonymous.SendAsync(Request(method, path, body));
            var problem = await response.ExpectAsync(HttpStatusCode.Unauthorized);
            Assert.That(problem.Text("errorCode"), Is.EqualTo("INVALID_SESSION_ID"), $"{method} {path}");
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
        }
    }

    [Test]
    public async Task A_Read_user_can_read_but_every_write_and_admin_read_is_403()
    {
        using var reader = await Server.CreateUserAndLoginAsync("Read");
        foreach (var path in Reads)
        {
            using var response = await reader.GetAsync(path);
            Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.NotFound), path);
        }

        foreach (var (method, path, body) in Writes)
        {
            using var response = await reader.SendAsync(Request(method, path, body));
            var problem = await response.ExpectAsync(HttpStatusCode.Forbidden);
            Assert.That(problem.Text("errorCode"), Is.EqualTo("INSUFFICIENT_ACCESS"), $"{method} {path}");
        }
    }

    [Test]
    public async Task A_PushUpgrade_user_reads_but_does_not_administer()
    {
        using var pusher = await Server.CreateUserAndLoginAsync("PushUpgrade");
        await pusher.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        await pusher.PostAsJsonAsync("/api/v1/packages", new { name = "P" }).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task An_admin_token_creates_a_package_version_tenant_and_install()
    {
        using var admin = await Server.LoginAsync();
        var package = await admin.PostAsJsonAsync("/api/v1/packages", new { name = "Flow", namespacePrefix = "flow" }).ExpectAsync(HttpStatusCode.Created);
        var version = await admin.PostAsJsonAsync($"/api/v1/packages/{package.Text("id")}/versions", new { name = "1.0", majorVersion = 1, minorVersion = 0, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created);
        var tenant = await admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Flow customer", orgType = "Production", orgStatus = "Active" }).ExpectAsync(HttpStatusCode.Created);
        await admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = tenant.Text("orgKey"), packageVersionId = version.Text("id") }).ExpectAsync(HttpStatusCode.OK);
    }
}
