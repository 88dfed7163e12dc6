using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PushApi.Server.Hosting;

/// <summary>What a new user needs from the first screen: where the console and the API reference are, and one line instead of a stack trace when the port is taken.</summary>
public static class StartupBanner
{
    /// <summary>Once the server listens, logs where: the addresses, the console and the API reference.</summary>
    public static WebApplication LogWhereToGo(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            var first = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault();
            if (first is null)
            {
                return;
            }

            var browsable = first.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal).TrimEnd('/');
            app.Logger.LogInformation("PushApi is listening on {Addresses}. The console: {Console} - the API reference: {Swagger}",
                string.Join(", ", addresses), browsable + "/monitor/", browsable + "/swagger");
        });
        return app;
    }

    /// <summary>
    /// The generated administrator password in a box, once the server listens (so it is the last thing on the screen, not
    /// buried in start-up lines). JSON logs get where the password is, never the password: they are shipped and kept.
    /// </summary>
    public static void ShowAdministrator(ILogger logger, bool json, string username, string password, string passwordFile)
    {
        if (json)
        {
            logger.LogWarning("Administrator {Username} created; its generated password is in {PasswordFile}.", username, passwordFile);
            return;
        }

        string[] lines = [$"PushApi administrator created: {username}", $"Password: {password}", $"(also in {passwordFile})"];
        var width = lines.Max(l => l.Length) + 2;
        var rule = "+" + new string('-', width) + "+";
        var box = string.Join(Environment.NewLine, [rule, .. lines.Select(l => "| " + l.PadRight(width - 1) + "|"), rule]);
        logger.LogInformation("{Box}", Environment.NewLine + box + Environment.NewLine);
    }

    /// <summary>The one line to print when an address is taken (another PushApi, or another program, listens there); null for other failures.</summary>
    public static string? AddressInUse(Exception exception) =>
        exception is IOException { InnerException: AddressInUseException } io
            ? $"PushApi: {io.Message} Stop the program that listens there, or give other addresses, e.g. --urls \"http://127.0.0.1:5081;https://127.0.0.1:5444\"."
            : null;
}
