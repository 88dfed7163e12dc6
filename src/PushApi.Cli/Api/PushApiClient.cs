using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace PushApi.Cli.Api;

/// <summary>
/// The native API over HTTP with the stored (or given) token. Every failure leaves as a <see cref="CliException"/>:
/// transport problems, a refused token and the server's own refusals each with their exit code.
/// </summary>
public sealed class PushApiClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly HttpClient _http;

    public PushApiClient(Uri baseUrl, string? token, TimeSpan? timeout = null)
    {
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("pushapi-cli", typeof(PushApiClient).Assembly.GetName().Version?.ToString(3)));
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseUrl { get; }

    public Task<JsonElement> GetJsonAsync(string path, CancellationToken cancellationToken) =>
        ReadJsonAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<JsonElement> PostJsonAsync(string path, object? body, CancellationToken cancellationToken) =>
        ReadJsonAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }, options: Json) }, cancellationToken);

    public Task<JsonElement> PostAsync(string path, HttpContent content, CancellationToken cancellationToken) =>
        ReadJsonAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, cancellationToken);

    /// <summary>Sends the request and returns the answer when it succeeded (headers read; the body still to stream).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await SendAnyAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await RefusalAsync(response, cancellationToken);
        }
    }

    /// <summary>Sends the request and returns whatever answered; only transport failures throw.</summary>
    public async Task<HttpResponseMessage> SendAnyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw ApiErrors.Transport(e, new Uri(BaseUrl, request.RequestUri!), _http.Timeout);
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>The exception that says why the server refused (its reason read from the body).</summary>
    public async Task<CliException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response, cancellationToken);
        return ApiErrors.FromAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, new Uri(BaseUrl, response.RequestMessage?.RequestUri ?? BaseUrl));
    }

    /// <summary>Sends the request and reads its answer as JSON (an empty body reads as JSON null).</summary>
    public async Task<JsonElement> ReadJsonAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = new Uri(BaseUrl, request.RequestUri!);
        using var response = await SendAsync(request, cancellationToken);
        var body = await ReadBodyAsync(response, cancellationToken);
        return Parse(body, target);
    }

    public static JsonElement Parse(string body, Uri target)
    {
        if (body.Length == 0)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CliException(ExitCodes.Unreachable, $"{ApiErrors.Origin(target)} answered {target.AbsolutePath} with something that is not JSON; check that the URL is PushApi's.");
        }
    }

    public async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw ApiErrors.Transport(e, BaseUrl, _http.Timeout);
        }
    }

    public void Dispose() => _http.Dispose();
}
