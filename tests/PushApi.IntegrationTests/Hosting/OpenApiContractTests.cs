using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Hosting;

/// <summary>openapi/pushapi.json is the REST contract: it must equal what the service serves.</summary>
public class OpenApiContractTests
{
    [Test]
    public async Task The_committed_OpenAPI_document_equals_the_served_one()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("openapi");
        using var client = server.Anonymous();
        var served = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var path = Path.Combine(Repository.Root, "openapi", "pushapi.json");
        var formatted = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

        if (Environment.GetEnvironmentVariable("PUSHAPI_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, formatted);
            Assert.Pass($"Wrote {path}.");
        }

        Assert.That(File.Exists(path), Is.True, "openapi/pushapi.json is missing; run the tests with PUSHAPI_UPDATE_OPENAPI=1 to write it");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        Assert.That(JsonNode.DeepEquals(committed, served), Is.True,
            "openapi/pushapi.json differs from /swagger/v1/swagger.json; if the API change is intended, run the tests with PUSHAPI_UPDATE_OPENAPI=1 and commit the file");
        var paths = served["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.That(paths, Is.SupersetOf(new[] { "/services/data/{version}/query", "/services/data/{version}/composite/tree/{type}", "/api/v1/tenants/import" }));
    }
}
