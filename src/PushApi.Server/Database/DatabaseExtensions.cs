using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core;
using PushApi.Core.Demo;
using PushApi.Core.Identity;
using PushApi.Core.Persistence;
using PushApi.Server.Hosting;
using PushApi.Server.Logging;

namespace PushApi.Server.Database;

public static class DatabaseExtensions
{
    /// <summary>The database (configured or embedded), the data source, EF and the Core use cases.</summary>
    public static WebApplicationBuilder AddPushApiDatabase(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<DatabaseHost>();
        services.AddBoundedDataSources(builder.Configuration);
        // EF logs a failed command or save as an error with the whole stack before its exception reaches the error
        // pipeline, which answers a client's conflict as a 409 and logs a real failure once: EF's copy goes to Debug.
        // The options are built once (they hold only the singleton data source): built per request scope, as by default,
        // they were a busy server's largest allocation after the SOAP envelopes (P17).
        services.AddDbContext<PushApiDbContext>(
            (sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
                .ConfigureWarnings(w => w.Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug))),
            optionsLifetime: ServiceLifetime.Singleton);
        services.AddOptions<IdentityOptions>().Bind(builder.Configuration.GetSection("PushApi:Auth"));
        services.AddSingleton<DatabaseReadiness>();
        services.AddHostedService<EmbeddedPostgresSupervisor>();
        services.AddPushApiCore();
        return builder;
    }

    /// <summary>
    /// Starts the database and, under the start-up advisory lock, applies migrations, creates the
    /// organization id, the administrator and the demo data. Runs before the service accepts requests.
    /// </summary>
    public static async Task InitializePushApiAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var options = app.Services.GetRequiredService<IOptions<PushApiOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PushApi.Startup");
        var bootstrap = options.Bootstrap;
        if (string.IsNullOrWhiteSpace(bootstrap.Username) != string.IsNullOrEmpty(bootstrap.Password))
        {
            throw new InvalidOperationException("Set both PushApi__Bootstrap__Username and PushApi__Bootstrap__Password, or neither.");
        }

        await app.Services.GetRequiredService<DatabaseHost>().StartAsync(cancellationToken);
        // Migrations may rewrite large tables: they run without the interactive bounds.
        var dataSource = app.Services.GetRequiredKeyedService<NpgsqlDataSource>(DatabaseWork.Maintenance);
        await using (var startupLock = await StartupLock.AcquireAsync(dataSource, cancellationToken))
        {
            var applied = await MigrationRunner.ApplyAsync(startupLock.Connection, cancellationToken);
            if (applied.Count > 0)
            {
                logger.LogInformation("Applied database migrations {Versions}.", string.Join(", ", applied));
            }

            await PublisherOrganization.EnsureAsync(startupLock.Connection, cancellationToken);

            await using var scope = app.Services.CreateAsyncScope();
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            var generatedPassword = await accounts.BootstrapAdminAsync(bootstrap.Username, bootstrap.Password, cancellationToken);
            ReportAdministrator(app, options, generatedPassword, logger);

            if (options.Demo.Subscribers > 0 && await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(options.Demo.Subscribers, cancellationToken))
            {
                logger.LogInformation("Seeded demo data: package 'Demo App' with {Subscribers} subscriber orgs.", options.Demo.Subscribers);
            }
            else if (options.Demo.Subscribers > 0)
            {
                logger.LogInformation("PushApi__Demo__Subscribers is set, but the database already holds packages (a demo seeded earlier, or your own), so no demo data was added: it is only seeded into a database without packages.");
            }
        }

        app.Services.GetRequiredService<DatabaseReadiness>().MarkInitialized();
    }

    private static void ReportAdministrator(WebApplication app, PushApiOptions options, string? generatedPassword, ILogger logger)
    {
        var passwordFile = Path.Combine(options.DataDirectoryPath, "admin-password");
        if (generatedPassword is not null)
        {
            Directory.CreateDirectory(options.DataDirectoryPath);
            File.WriteAllText(passwordFile, generatedPassword + Environment.NewLine);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            // Shown once, on the start that created the account, after the framework's start-up lines; later starts point to the file.
            var json = LoggingExtensions.IsJson(app.Configuration);
            app.Lifetime.ApplicationStarted.Register(() => StartupBanner.ShowAdministrator(logger, json, UserAccounts.DefaultAdminUsername, generatedPassword, passwordFile));
        }
        else if (options.Bootstrap.Username is { Length: > 0 } username)
        {
            logger.LogInformation("Administrator {Username} is set from PushApi__Bootstrap__Username.", username);
        }
        else if (File.Exists(passwordFile))
        {
            logger.LogInformation("Sign in as {Username}; the generated password is in {PasswordFile}.", UserAccounts.DefaultAdminUsername, passwordFile);
        }
    }
}

/// <summary>
/// Ready once start-up initialisation has finished and the database still answers at the latest schema version;
/// not ready while the embedded PostgreSQL is being restarted (<see cref="Outage"/>).
/// </summary>
public sealed class DatabaseReadiness
{
    private volatile bool _initialized;
    private volatile string? _outage;

    public bool IsInitialized => _initialized;

    /// <summary>Why the database is known to be down (the embedded server is being restarted), or null.</summary>
    public string? Outage => _outage;

    public void MarkInitialized() => _initialized = true;

    public void MarkDown(string reason) => _outage = reason;

    public void MarkUp() => _outage = null;
}
