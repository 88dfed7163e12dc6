namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// A test fixture with its own server and database, and a client logged in as the administrator.
/// Fixtures that inspect requests in a given state turn the push engine off, so nothing runs them;
/// <c>settings</c> adds configuration (keys as in appsettings, <c>PushApi:…</c>).
/// </summary>
public abstract class ApiFixture(string purpose, bool runPushes = true, IReadOnlyDictionary<string, string?>? settings = null)
{
    protected PushApiServer Server { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        var configuration = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (!runPushes)
        {
            configuration["PushApi:Execution:Enabled"] = "false";
        }

        Server = await PushApiServer.StartOnNewDatabaseAsync(purpose, settings: configuration);
        Admin = await Server.LoginAsync();
        await OnStartedAsync();
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        Admin.Dispose();
        Server.Dispose();
    }

    /// <summary>Data the fixture's tests share, created once the server is up.</summary>
    protected virtual Task OnStartedAsync() => Task.CompletedTask;
}
