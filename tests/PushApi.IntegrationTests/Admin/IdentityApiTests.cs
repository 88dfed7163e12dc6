using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

public class IdentityApiTests
{
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await PushApiServer.StartOnNewDatabaseAsync("identity");
        _admin = await _server.LoginAsync();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _admin.Dispose();
        _server.Dispose();
    }

    [Test]
    public async Task A_created_user_logs_in_with_its_password_and_is_listed_without_it()
    {
        var created = await _admin.PostAsJsonAsync("/api/v1/users", new { username = "Release.Engineer@acme.test", password = "Release-Pass-1", permissions = new[] { "pushupgrade" }, fullName = "Rel Eng" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That(created.Text("id"), Does.Match("^005[A-Za-z0-9]{15}$"));
        Assert.That(created.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "PushUpgrade" }));
        Assert.That(created.TryGetProperty("password", out _) || created.TryGetProperty("passwordHash", out _), Is.False);

        await _server.GetTokenAsync("release.engineer@ACME.test", "Release-Pass-1");

        var list = await _admin.GetStringAsync("/api/v1/users");
        Assert.That(list, Does.Contain("Release.Engineer@acme.test").And.Not.Contain("Release-Pass-1").And.Not.Contain("pbkdf2"));
    }

    [Test]
    public async Task Usernames_are_unique_ignoring_case_and_bad_input_is_named()
    {
        await _admin.PostAsJsonAsync("/api/v1/users", new { username = "dup@acme.test", password = "Password-1", permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);
        await _admin.PostAsJsonAsync("/api/v1/users", new { username = "DUP@acme.test", password = "Password-1", permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Conflict);
        var problem = await _admin.PostAsJsonAsync("/api/v1/users", new { username = "", password = "short", permissions = new[] { "God" } }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "username", "password", "permissions[0]" }));
    }
}
