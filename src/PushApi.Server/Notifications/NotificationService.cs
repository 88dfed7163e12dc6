using System.Globalization;
using System.Net.Mail;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Notifications;
using PushApi.Core.Push.Lifecycle;

namespace PushApi.Server.Notifications;

/// <summary>
/// Sends what the outbox holds: turns request status changes into messages (and the push lifecycle's log lines), then sends due mails
/// (SMTP) and webhook deliveries (HTTP POST, HMAC-signed), retrying failures with back-off. Every
/// instance runs one; messages are leased, so two instances never send the same message at once.
/// </summary>
public sealed class NotificationService(Outbox outbox, PushLifecycleLog lifecycle, IOptions<SmtpOptions> smtp, IHttpClientFactory http, TimeProvider clock, PushApi.Core.Telemetry.PushMeters meters, ILogger<NotificationService> logger) : BackgroundService
{
    public const string WebhookClient = "pushapi-webhooks";

    /// <summary>How often the outbox is looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastPurge = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.GetUtcNow() - lastPurge > TimeSpan.FromHours(1))
                {
                    await outbox.PurgeAsync(stoppingToken);
                    lastPurge = clock.GetUtcNow();
                }

                IReadOnlyList<PushRequestEvent> handled;
                while ((handled = await outbox.DispatchEventsAsync(stoppingToken)).Count > 0)
                {
                    await lifecycle.LogAsync(handled, stoppingToken);
                }

                foreach (var message in await outbox.LeaseDueAsync(20, stoppingToken))
                {
                    await SendAsync(message, stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Notifications: the database is unavailable ({Reason}); trying again shortly.", e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (message.Kind == "mail")
            {
                await SendMailAsync(message, cancellationToken);
            }
            else
            {
                await DeliverWebhookAsync(message, cancellationToken);
            }

            await outbox.MarkSentAsync(message.Id, CancellationToken.None);
            meters.OutboxSent(message.Kind);
        }
        catch (Exception e) when (e is SmtpException or HttpRequestException or IOException or TaskCanceledException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Notification {Key} attempt {Attempt} failed: {Reason}", message.Key, message.Attempt, e.Message);
            meters.OutboxSendFailed(message.Kind);
            await outbox.MarkFailedAsync(message, e.Message, CancellationToken.None);
        }
    }

    private async Task SendMailAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = smtp.Value;
        if (!settings.Enabled)
        {
            throw new InvalidOperationException("SMTP is not configured (PushApi:Smtp:Host).");
        }

        using var mail = new MailMessage(settings.From, message.Payload["to"]!.GetValue<string>())
        {
            Subject = message.Payload["subject"]!.GetValue<string>(),
            Body = message.Payload["body"]!.GetValue<string>(),
            BodyEncoding = Encoding.UTF8,
            SubjectEncoding = Encoding.UTF8,
        };

        // Fixed per message: a resend after a crash between sending and marking is the same message.
        mail.Headers.Add("Message-ID", $"<{MessageId(message.Key)}@pushapi>");
        mail.Headers.Add("X-PushApi-Message", message.Key);
        using var client = new SmtpClient(settings.Host, settings.Port) { EnableSsl = settings.EnableSsl, Timeout = 30_000 };
        if (settings.Username is not null)
        {
            client.Credentials = new System.Net.NetworkCredential(settings.Username, settings.Password);
        }

        await client.SendMailAsync(mail, cancellationToken);
    }

    private async Task DeliverWebhookAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var webhookId = message.Payload["webhookId"]!.GetValue<long>();
        var body = message.Payload["body"]!.ToJsonString();
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = await outbox.SignAsync(webhookId, timestamp, body, cancellationToken);
        if (signature is null)
        {
            return; // The webhook was removed: nothing to deliver.
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, message.Payload["url"]!.GetValue<string>())
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-PushApi-Event", message.Payload["body"]?["type"]?.GetValue<string>() ?? "pushRequest.statusChanged");
        request.Headers.Add("X-PushApi-Delivery", message.Key);
        request.Headers.Add("X-PushApi-Signature", $"t={timestamp},v1={signature}");
        using var response = await http.CreateClient(WebhookClient).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The webhook answered {(int)response.StatusCode}.");
        }
    }

    private static string MessageId(string key) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
}

public static class NotificationExtensions
{
    public static IServiceCollection AddPushApiNotifications(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration("PushApi:Smtp");
        services.AddOptions<NotificationOptions>().BindConfiguration("PushApi:Notifications")
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                // One public address serves mails and agents unless mails are given their own.
                if (configuration["PushApi:Notifications:PublicUrl"] is null && configuration["PushApi:PublicUrl"] is { } publicUrl)
                {
                    options.PublicUrl = publicUrl;
                }
            });
        services.AddOptions<WebhookOptions>().BindConfiguration("PushApi:Webhooks");
        services.AddHttpClient(NotificationService.WebhookClient, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return new SocketsHttpHandler { ConnectCallback = (context, cancellationToken) => WebhookTargets.ConnectAsync(context.DnsEndPoint, options, cancellationToken) };
            });
        services.AddSingleton<Outbox>();
        services.AddHostedService<NotificationService>();
        return services;
    }
}
