using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Push.Lifecycle;
using PushApi.Core.Push.Status;
using PushApi.Core.Tenants;

namespace PushApi.Core.Notifications;

/// <summary>Mail settings (configuration section <c>PushApi:Smtp</c>); no host, no mail.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    public string From { get; set; } = "pushapi@localhost";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool EnableSsl { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>Where links in mails point (configuration <c>PushApi:Notifications:PublicUrl</c>, else <c>PushApi:PublicUrl</c>).</summary>
public sealed class NotificationOptions
{
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Attempts before a message is given up.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>How long sent messages and handled events are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a sender holds a message it is sending before another may try it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>A message taken from the outbox to send: a mail or a webhook delivery, with its fixed key.</summary>
public sealed record OutboxMessage(long Id, string Kind, string Key, JsonObject Payload, int Attempt);

/// <summary>A registered webhook (its secret is never shown again after creation).</summary>
public sealed record Webhook(long Id, string Url, bool IsActive, DateTimeOffset CreatedAt);

/// <summary>
/// The durable outbox of mails and webhook deliveries. Request status changes (written by a trigger in
/// the changing transaction) become messages in one transaction each (a message's key is unique, so
/// handling an event twice writes nothing twice); senders lease due messages, send, and mark them sent.
/// </summary>
public sealed class Outbox(NpgsqlDataSource dataSource, TimeProvider clock, ISecretProtector secrets, Microsoft.Extensions.Options.IOptions<SmtpOptions> smtp, Microsoft.Extensions.Options.IOptions<NotificationOptions> options)
{
    /// <summary>Turns waiting status-change and deployment events into messages; returns the events it handled (committed).</summary>
    public async Task<IReadOnlyList<PushRequestEvent>> DispatchEventsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var events = await ReadWaitingEventsAsync(connection, cancellationToken);
        var now = clock.Now();
        foreach (var e in events)
        {
            var request = await LoadRequestAsync(connection, e.Request, cancellationToken);
            if (e.Counts is { } at)
            {
                request = request with { Total = at.Total, Succeeded = at.Succeeded, Failed = at.Failed, Canceled = at.Canceled };
            }

            var body = DeploymentEvents.Body(e.Id, e.Type, e.Request, e.Old, e.New, e.At, request.VersionId, new JsonObject { ["total"] = request.Total, ["succeeded"] = request.Succeeded, ["failed"] = request.Failed, ["canceled"] = request.Canceled }, e.Data);
            await using (var webhooks = new NpgsqlCommand(
                """
                INSERT INTO outbox (kind, message_key, payload, next_attempt_at, created_at)
                SELECT 'webhook', 'webhook:' || w.id || ':' || $1, jsonb_build_object('webhookId', w.id, 'url', w.url, 'body', $2::jsonb), $3, $3
                FROM webhooks w WHERE w.is_active
                ON CONFLICT (message_key) DO NOTHING
                """, connection))
            {
                webhooks.Parameters.Add(new NpgsqlParameter { Value = e.Id.ToString(CultureInfo.InvariantCulture) });
                webhooks.Parameters.Add(new NpgsqlParameter { Value = body.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
                webhooks.Parameters.Add(new NpgsqlParameter { Value = now });
                await webhooks.ExecuteNonQueryAsync(cancellationToken);
            }

            if (smtp.Value.Enabled && e.Type == DeploymentEvents.Halted && request.SubmitterAddress is { } submitter)
            {
                var (subject, text) = DeploymentEvents.HaltMail(e.Request, request.VersionName, e.Data, options.Value.PublicUrl);
                await InsertMailAsync(connection, $"halted:{e.Id}", submitter, subject, text, now, cancellationToken);
            }

            if (smtp.Value.Enabled && e.Type is null && PushStatuses.TryParse(e.New, out var ended) && ended.IsTerminal())
            {
                await EnqueueSummaryAsync(connection, e.Request, e.New, request, now, cancellationToken);
                if (request.NotifyTenants && ended != PushStatus.Canceled)
                {
                    await EnqueueTenantMailsAsync(connection, e.Request, request.VersionName, now, cancellationToken);
                }
            }

            await using var done = new NpgsqlCommand("UPDATE push_request_events SET processed_at = $2 WHERE id = $1", connection);
            done.Parameters.Add(new NpgsqlParameter { Value = e.Id });
            done.Parameters.Add(new NpgsqlParameter { Value = now });
            await done.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return events;
    }

    /// <summary>Leases up to <paramref name="limit"/> due messages for this sender.</summary>
    public async Task<List<OutboxMessage>> LeaseDueAsync(int limit, CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE outbox o SET lease_until = $2, attempts = o.attempts + 1
            FROM (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
                  ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) due
            WHERE o.id = due.id
            RETURNING o.id, o.kind, o.message_key, o.payload::text, o.attempts
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = now + options.Value.Lease });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var messages = new List<OutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new OutboxMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), JsonNode.Parse(reader.GetString(3))!.AsObject(), reader.GetInt32(4)));
        }

        return messages.OrderBy(m => m.Id).ToList();
    }

    public async Task MarkSentAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE outbox SET sent_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Schedules another attempt with exponential back-off, or gives the message up after the last.</summary>
    public async Task MarkFailedAsync(OutboxMessage message, string error, CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromSeconds(Math.Min(3600, Math.Pow(2, message.Attempt)));
        var givenUp = message.Attempt >= options.Value.MaxAttempts;
        await using var command = dataSource.CreateCommand(
            "UPDATE outbox SET next_attempt_at = CASE WHEN $4 THEN 'infinity'::timestamptz ELSE $2 END, lease_until = NULL, last_error = $3 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = message.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() + delay });
        command.Parameters.Add(new NpgsqlParameter { Value = error.Length > 2000 ? error[..2000] : error });
        command.Parameters.Add(new NpgsqlParameter { Value = givenUp });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes messages sent (or given up) and events handled longer ago than <see cref="NotificationOptions.Retention"/>.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH messages AS (DELETE FROM outbox WHERE (sent_at < $1) OR (sent_at IS NULL AND next_attempt_at = 'infinity' AND created_at < $1) RETURNING 1),
                 events AS (DELETE FROM push_request_events WHERE processed_at < $1 RETURNING 1)
            SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM events)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() - options.Value.Retention });
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>Registers a webhook; returns it with its signing secret (shown once).</summary>
    public async Task<(Webhook Webhook, string Secret)> AddWebhookAsync(string url, long userId, CancellationToken cancellationToken = default)
    {
        var secret = Base62.Random(40);
        await using var command = dataSource.CreateCommand("INSERT INTO webhooks (url, secret_protected, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id, created_at");
        command.Parameters.Add(new NpgsqlParameter { Value = url });
        command.Parameters.Add(new NpgsqlParameter { Value = secrets.Protect(secret) });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (new Webhook(reader.GetInt64(0), url, true, reader.GetFieldValue<DateTimeOffset>(1)), secret);
    }

    public async Task<List<Webhook>> ListWebhooksAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, url, is_active, created_at FROM webhooks ORDER BY id");
        var hooks = new List<Webhook>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hooks.Add(new Webhook(reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return hooks;
    }

    public async Task<bool> RemoveWebhookAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE webhooks SET is_active = false WHERE id = $1 AND is_active");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>The HMAC-SHA256 signature of a delivery: hex of HMAC(secret, timestamp + "." + body), sent as <c>X-PushApi-Signature: t=…,v1=…</c>.</summary>
    public async Task<string?> SignAsync(long webhookId, string timestamp, string body, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT secret_protected FROM webhooks WHERE id = $1 AND is_active");
        command.Parameters.Add(new NpgsqlParameter { Value = webhookId });
        if (await command.ExecuteScalarAsync(cancellationToken) is not string protectedSecret)
        {
            return null;
        }

        return Signature(secrets.Unprotect(protectedSecret), timestamp, body);
    }

    public static string Signature(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    private async Task EnqueueSummaryAsync(NpgsqlConnection connection, long requestId, string status, RequestFacts request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (request.SubmitterAddress is null)
        {
            return;
        }

        var reasons = (await PushFailureReport.GroupsAsync(connection, [requestId], limit: 5, cancellationToken))
            .Select(g => $"  {g.Count:N0} × {g.ErrorType ?? "Unknown"}: {g.ErrorTitle}")
            .ToList();

        var id = SalesforceId.Format(KeyPrefixes.PackagePushRequest, requestId);
        var processed = request.Succeeded + request.Failed + request.Canceled;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"The push of {request.VersionName} ({id}) ended {status}.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Tenants processed: {processed:N0} of {request.Total:N0}")
            .AppendLine(CultureInfo.InvariantCulture, $"Succeeded: {request.Succeeded:N0}")
            .AppendLine(CultureInfo.InvariantCulture, $"Failed: {request.Failed:N0}")
            .AppendLine(CultureInfo.InvariantCulture, $"Canceled: {request.Canceled:N0}");
        if (reasons.Count > 0)
        {
            text.AppendLine().AppendLine("Top failure reasons:");
            reasons.ForEach(r => text.AppendLine(r));
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Details: {options.Value.PublicUrl.TrimEnd('/')}/monitor/#/deployments/{id}");
        await InsertMailAsync(connection, $"summary:{requestId}", request.SubmitterAddress, $"Push {status}: {request.VersionName} — {request.Succeeded:N0} succeeded, {request.Failed:N0} failed", text.ToString(), now, cancellationToken);
    }

    private static async Task EnqueueTenantMailsAsync(NpgsqlConnection connection, long requestId, string versionName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO outbox (kind, message_key, payload, next_attempt_at, created_at)
            SELECT 'mail', 'tenant:' || $1 || ':' || t.org_key,
                   jsonb_build_object('to', t.contact_email,
                                      'subject', $2 || ' has been installed in ' || t.org_name,
                                      'body', 'Hello,' || E'\n\n' || 'your organization ' || t.org_name || ' (' || t.org_key || ') was upgraded to ' || $2 || '.' || E'\n'),
                   $3, $3
            FROM push_jobs j JOIN tenants t ON t.org_key = j.org_key
            WHERE j.request_id = $1 AND {PushStatusSql.Is("j.status", PushStatus.Succeeded)} AND t.contact_email IS NOT NULL
            ON CONFLICT (message_key) DO NOTHING
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = requestId });
        command.Parameters.Add(new NpgsqlParameter { Value = versionName });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertMailAsync(NpgsqlConnection connection, string key, string to, string subject, string body, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var payload = new JsonObject { ["to"] = to, ["subject"] = subject, ["body"] = body };
        await using var command = new NpgsqlCommand(
            "INSERT INTO outbox (kind, message_key, payload, next_attempt_at, created_at) VALUES ('mail', $1, $2::jsonb, $3, $3) ON CONFLICT (message_key) DO NOTHING", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = payload.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Up to 100 status-change events not handled yet, locked for this transaction.</summary>
    private static async Task<List<PushRequestEvent>> ReadWaitingEventsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var events = new List<PushRequestEvent>();
        await using (var select = new NpgsqlCommand(
            """
            SELECT id, request_id, old_status, new_status, created_at, job_count, succeeded_count, failed_count, canceled_count, event_type, detail::text
            FROM push_request_events WHERE processed_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED
            """, connection))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                // Events written before the counts were captured (migration 14) have none: the request's current counts stand in.
                var counts = reader.IsDBNull(5) ? null : new PushEventCounts(reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8));
                events.Add(new PushRequestEvent(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), counts)
                {
                    Type = reader.IsDBNull(9) ? null : reader.GetString(9),
                    Data = reader.IsDBNull(10) ? null : JsonNode.Parse(reader.GetString(10))?.AsObject(),
                });
            }
        }

        return events;
    }

    private static async Task<RequestFacts> LoadRequestAsync(NpgsqlConnection connection, long requestId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT r.package_version_id, {Packages.PackageVersion.DisplayNameSql("v", "p")}, r.job_count, r.succeeded_count, r.failed_count, r.canceled_count, r.notify_tenants,
                   coalesce(u.email, CASE WHEN u.username LIKE '%@%' THEN u.username END)
            FROM push_requests r
            JOIN package_versions v ON v.id = r.package_version_id
            JOIN packages p ON p.id = v.package_id
            LEFT JOIN users u ON u.id = r.created_by
            WHERE r.id = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = requestId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RequestFacts(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetBoolean(6), reader.IsDBNull(7) ? null : reader.GetString(7));
    }

    private sealed record RequestFacts(long VersionId, string VersionName, int Total, int Succeeded, int Failed, int Canceled, bool NotifyTenants, string? SubmitterAddress);
}
