using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// The real service, in process, on Kestrel on a loopback port, against a database of its own.
/// Clients talk to it over real HTTP.
/// </summary>
public sealed class PushApiServer : WebApplicationFactory<Program>
{
    public const string AdminUsername = "admin@test.local";
    public const string AdminPassword = "Admin-Password-1";

    /// <summary>Settings for a server with both feature switches left off, as on a new installation (the default here turns them on).</summary>
    public static readonly IReadOnlyDictionary<string, string?> FeaturesOff = new Dictionary<string, string?>
    {
        ["PushApi:Features:MassDeployment"] = "false",
        ["PushApi:Features:InstallFromFile"] = "false",
    };

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _clock;

    private PushApiServer(string connectionString, string dataDirectory, TimeProvider? clock, IDictionary<string, string?>? settings)
    {
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
        _clock = clock;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:PushApi"] = connectionString,
            ["PushApi:DataDirectory"] = dataDirectory,
            ["PushApi:Bootstrap:Username"] = AdminUsername,
            ["PushApi:Bootstrap:Password"] = AdminPassword,
            ["Logging:LogLevel:Default"] = "Warning",

            // Kestrel listens on a port chosen at start-up, so the scheduler can't derive a stable node id from it.
            ["PushApi:Scheduler:InstanceId"] = "test-" + Guid.NewGuid().ToString("N")[..12],

            // Off on a new installation; tests of other things use the switched features freely (FeaturesOff leaves them off).
            ["PushApi:Features:MassDeployment"] = "true",
            ["PushApi:Features:InstallFromFile"] = "true",

            // Test webhooks listen on loopback, which a real installation refuses.
            ["PushApi:Webhooks:AllowPrivateTargets"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    public string ConnectionString { get; }

    public string DataDirectory { get; }

    public Uri BaseAddress => ClientOptions.BaseAddress;

    /// <summary>Starts a server on a new empty database (or the given one).</summary>
    public static PushApiServer Start(string connectionString, TimeProvider? clock = null, IDictionary<string, string?>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-test-" + Guid.NewGuid().ToString("N")[..10]);
        var server = new PushApiServer(connectionString, dataDirectory, clock, settings);
        server.StartServer();
        return server;
    }

    public static async Task<PushApiServer> StartOnNewDatabaseAsync(string purpose, TimeProvider? clock = null, IDictionary<string, string?>? settings = null) =>
        Start(await TestPostgres.CreateDatabaseAsync(purpose), clock, settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_clock is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(_clock));
        }
    }

    /// <summary>A plain client (no token).</summary>
    public HttpClient Anonymous() => CreateClient();

    /// <summary>A client holding a token of the given user.</summary>
    public async Task<HttpClient> LoginAsync(string username = AdminUsername, string password = AdminPassword)
    {
        var client = CreateClient();
        var token = await GetTokenAsync(username, password);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<string> GetTokenAsync(string username = AdminUsername, string password = AdminPassword)
    {
        using var client = CreateClient();
        using var response = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = username,
            ["password"] = password,
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"login of {username} failed: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>Creates a user through the API (as the admin) and returns a client logged in as it.</summary>
    public async Task<HttpClient> CreateUserAndLoginAsync(params string[] permissions)
    {
        using var admin = await LoginAsync();
        var username = $"user-{Guid.NewGuid():N}@test.local";
        const string password = "User-Password-1";
        using var response = await admin.PostAsJsonAsync("/api/v1/users", new { username, password, permissions });
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        return await LoginAsync(username, password);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
