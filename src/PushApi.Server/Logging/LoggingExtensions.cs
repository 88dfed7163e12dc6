using Microsoft.Extensions.Logging.Console;
using PushApi.Core.Push.Lifecycle;

namespace PushApi.Server.Logging;

/// <summary>
/// The service's logs: the built-in console logger, readable lines by default or one JSON object a line with
/// <c>PushApi__Logging__Format=json</c> (message template properties become fields); request lines; push progress.
/// </summary>
public static class LoggingExtensions
{
    public const string JsonFormat = "json";

    public static WebApplicationBuilder AddPushApiLogging(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("PushApi:Logging");
        builder.Services.AddOptions<LoggingOptions>().Bind(section);
        if (IsJson(builder.Configuration))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Logging.AddConsole(o => o.FormatterName = ConsoleFormatterNames.Json);
        }

        builder.Services.AddHostedService<PushProgressService>();
        return builder;
    }

    /// <summary>True when the logs are JSON lines (<c>PushApi:Logging:Format</c>, or the console logger's own <c>Logging:Console:FormatterName</c>).</summary>
    public static bool IsJson(IConfiguration configuration) =>
        string.Equals(configuration["PushApi:Logging:Format"], JsonFormat, StringComparison.OrdinalIgnoreCase)
        || string.Equals(configuration["Logging:Console:FormatterName"], JsonFormat, StringComparison.OrdinalIgnoreCase);
}
