using PushApi.LocalPostgres;
using PushApi.Server.Admin;
using PushApi.Server.Agents;
using PushApi.Server.Audit;
using PushApi.Server.Auth;
using PushApi.Server.Auth.OAuth;
using PushApi.Server.Bulk;
using PushApi.Server.Database;
using PushApi.Server.Deployments;
using PushApi.Server.Health;
using PushApi.Server.Hosting;
using PushApi.Server.Logging;
using PushApi.Server.Monitor;
using PushApi.Server.Notifications;
using PushApi.Server.Pipeline;
using PushApi.Server.Rest;
using PushApi.Server.Retention;
using PushApi.Server.Salesforce;
using PushApi.Server.Scheduling;
using PushApi.Server.Security;
using PushApi.Server.Soap;
using PushApi.Server.Telemetry;

// The console's static files and appsettings.json (its log levels: Quartz and EF Core at warnings) are next to the
// assembly, so any working directory gets them; relative paths in settings (the data directory) stay relative to it.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
builder.AddPushApiHosting().AddPushApiLogging().AddPushApiDatabase().AddPushApiScheduling().AddPushApiTelemetry();
builder.Services.AddPushApiErrorHandling().AddPushApiAuthentication().AddPushApiRateLimiting().AddFeatureSwitches().AddPushApiSecrets().AddPushApiLogin().AddPushApiHealth()
    .AddAdminApi().AddDataApi().AddBulkApis().AddPushApiNotifications().AddSoapApi().AddPushApiOpenApi()
    .AddPushApiAudit().AddPushApiRetention();

var app = builder.Build();
try
{
    await app.InitializePushApiAsync();
}
catch (PostgresNotFoundException e)
{
    await Console.Error.WriteLineAsync("PushApi: " + e.Message);
    return 1;
}

app.UsePushApiForwardedHeaders();
app.UsePushApiSecurityHeaders();
app.UsePushApiTelemetry();
app.UseInteractivePrecedence();
app.UseSalesforcePathQuirks();
// A caller over its limit is refused here, before routing, the request log, audit, authentication and the body (R15).
app.UseCredentialRateLimiting();
app.UsePushApiMonitor();
app.UsePushApiRequestDecompression();
app.UseRouting();
app.UsePushApiRequestLog();
app.UsePushApiAudit();
app.UsePushApiErrorHandling();
app.UseQueryTextGuard();
app.UseAuthentication();
app.UseRateLimiter();
app.UseDailyApiUsage();
app.UseAuthorization();
app.UseFeatureSwitches();
app.UsePushApiOpenApi();
app.MapPushApiHealth();
// Whatever no endpoint under /services takes is answered as the Salesforce API answers it.
app.DeclareErrorShape("/services", SalesforceRestShape.Instance);
app.MapTokenEndpoint();
app.MapOAuthEndpoints();
app.MapIdentityService();
app.MapAdminApi();
app.MapDeploymentApi();
app.MapAgentArtifactApi();
app.MapDataApi();
app.MapBulkApis();
app.MapSoapApi();
app.LogWhereToGo();
try
{
    await app.StartAsync();
}
catch (IOException e) when (StartupBanner.AddressInUse(e) is { } line)
{
    await Console.Error.WriteLineAsync(line);
    using (var hurry = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
    {
        await app.StopAsync(hurry.Token); // the background services that started before the bind failed; nothing runs yet
    }
    await app.DisposeAsync(); // and the embedded PostgreSQL this run started
    return 2;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
