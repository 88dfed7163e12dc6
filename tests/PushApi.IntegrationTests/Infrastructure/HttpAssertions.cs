using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PushApi.IntegrationTests.Infrastructure;

public static class HttpAssertions
{
    /// <summary>Asserts the status (showing the body when it is not) and returns the body as JSON.</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered: {body}");
        var json = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        return body.Length == 0 || !json ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> response, HttpStatusCode status)
    {
        using var message = await response;
        return await message.ExpectAsync(status);
    }

    public static Task<HttpResponseMessage> PatchAsJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PatchAsync(url, JsonContent.Create(body));

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
