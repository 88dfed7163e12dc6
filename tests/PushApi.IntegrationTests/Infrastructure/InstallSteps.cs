using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>The steps of the install engine's tests, as a client takes them through the native API.</summary>
public sealed class InstallSteps(HttpClient admin)
{
    public async Task<string> PackageAsync(string name, bool locked, params (string Type, string Name, object Definition)[] items)
    {
        var body = new { name, locked, items = items.Select(i => new { type = i.Type, name = i.Name, definition = i.Definition }).ToArray() };
        return (await admin.PostAsJsonAsync("/api/v1/packages", body).ExpectAsync(HttpStatusCode.Created)).Text("id");
    }

    public async Task<string> PublishAsync(string package, int major) =>
        (await admin.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = $"v{major}", majorVersion = major, minorVersion = 0, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");

    public async Task<string> TenantAsync(string name) =>
        (await admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = name, orgType = "Production", orgStatus = "Active" }).ExpectAsync(HttpStatusCode.Created)).Text("orgKey");

    public async Task<JsonElement> AddComponentAsync(string tenant, string type, string name, object definition, string? parent = null) =>
        await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/components", new { type, name, definition, parent }).ExpectAsync(HttpStatusCode.Created);

    public async Task<List<JsonElement>> ComponentsAsync(string tenant, string? package = null) =>
        (await admin.GetAsync($"/api/v1/tenants/{tenant}/components?limit=1000{(package is null ? "" : "&packageId=" + package)}").ExpectAsync(HttpStatusCode.OK))
            .GetProperty("records").EnumerateArray().ToList();

    public async Task<JsonElement> PlanAsync(string tenant, string version, string query = "") =>
        await admin.GetAsync($"/api/v1/tenants/{tenant}/install-plan?packageVersionId={version}{query}").ExpectAsync(HttpStatusCode.OK);

    public async Task<JsonElement> InstallFromFileAsync(string tenant, string version, HttpStatusCode expected, string query = "")
    {
        var zip = await admin.GetByteArrayAsync($"/api/v1/versions/{version}/package.zip");
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return await admin.PostAsync($"/api/v1/tenants/{tenant}/installations/from-file{query}", content).ExpectAsync(expected);
    }

    /// <summary>Creates a deployment starting now and returns its answer (201 when it created one).</summary>
    public async Task<JsonElement> DeployAsync(object body, HttpStatusCode expected = HttpStatusCode.Created) =>
        await admin.PostAsJsonAsync("/api/v1/deployments", body).ExpectAsync(expected);

    /// <summary>Polls the deployment until it has finished, failing after the timeout.</summary>
    public async Task<JsonElement> FinishedAsync(string id, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement deployment;
        do
        {
            deployment = await admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
            if (deployment.Text("status") is "Succeeded" or "Failed" or "Canceled")
            {
                return deployment;
            }

            await Task.Delay(100);
        }
        while (TimeProvider.System.GetUtcNow() < deadline);

        Assert.Fail($"Deployment {id} is {deployment.Text("status")} after the timeout.");
        return deployment;
    }

    /// <summary>Deploys and waits for the end; the deployment's id.</summary>
    public async Task<string> DeployAndWaitAsync(object body)
    {
        var id = (await DeployAsync(body)).Text("id");
        await FinishedAsync(id);
        return id;
    }

    public async Task<JsonElement> FailuresAsync(string id) =>
        await admin.GetAsync($"/api/v1/deployments/{id}/failures?limit=5000").ExpectAsync(HttpStatusCode.OK);

    public async Task<string?> InstalledVersionAsync(string tenant) =>
        (await admin.GetAsync($"/api/v1/tenants/{tenant}/installations").ExpectAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(i => i.Text("installedStatus") == "i").Select(i => i.Text("packageVersionId")).FirstOrDefault();

    public static string[] Names(JsonElement plan, string list) =>
        [.. plan.GetProperty(list).EnumerateArray().Select(e => $"{e.Text("type")} {e.Text("name")}")];
}
