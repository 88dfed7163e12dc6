using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

public class IdentityApiTests() : ApiFixture("identity")
{
    [Test]
    public async Task A_created_user_logs_in_with_its_password_and_is_listed_without_it()
    {
        var created = await Admin.PostAsJsonAsync("/api/v1/users", new { username = "Release.Engineer@acme.test", password = "Release-Pass-1", permissions = new[] { "pushupgrade" }, fullName = "Rel Eng" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That(created.Text("id"), Does.Match("^005[A-Za-z0-9]{15}$"));
        Assert.That(created.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "PushUpgrade" }));
        Assert.That(created.TryGetProperty("password", out _) || created.TryGetProperty("passwordHash", out _), Is.False);

        await Server.GetTokenAsync("release.engineer@ACME.test", "Release-Pass-1");

        var list = await Admin.GetStringAsync("/api/v1/users");
        Assert.That(list, Does.Contain("Release.Engineer@acme.test").And.Not.Contain("Release-Pass-1").And.Not.Contain("pbkdf2"));
    }

    [Test]
    public async Task Usernames_are_unique_ignoring_case_and_bad_input_is_named()
    {
        await Admin.PostAsJsonAsync("/api/v1/users", new { username = "dup@acme.test", password = "Password-1", permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PostAsJsonAsync("/api/v1/users", new { username = "DUP@acme.test", password = "Password-1", permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Conflict);
        var problem = await Admin.PostAsJsonAsync("/api/v1/users", new { username = "", password = "short", permissions = new[] { "God" } }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "username", "password", "permissions[0]" }));
    }

    [Test]
    public async Task Api_clients_need_a_name_and_known_permissions_and_are_listed_without_secrets()
    {
        var problem = await Admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "", permissions = new[] { "Everything" } }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "permissions[0]" }));

        var created = await Admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "Nightly", permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);
        Assert.That(created.Text("clientId"), Does.StartWith("pk_"));
        Assert.That(created.Text("clientSecret"), Has.Length.EqualTo(48));
        var list = await Admin.GetStringAsync("/api/v1/api-clients");
        Assert.That(list, Does.Contain(created.Text("clientId")).And.Not.Contain(created.Text("clientSecret")));
    }
}
