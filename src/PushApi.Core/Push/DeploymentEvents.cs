using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;

namespace PushApi.Core.Push;

/// <summary>
/// Deployment events beside the status changes (a wave started, a deployment halted…), queued with them in
/// <c>push_request_events</c> in the changing transaction, with the request's counts of that moment, so webhooks
/// see them in order and as they were. The outbox turns them into deliveries (and the halt into a mail to the submitter).
/// </summary>
public static class DeploymentEvents
{
    public const string StatusChanged = "pushRequest.statusChanged";
    public const string WaveStarted = "wave.started";
    public const string Halted = "deployment.halted";
    public const string Resumed = "deployment.resumed";

    /// <summary>Queues an event about <paramref name="requestId"/> (a wave's or a deployment's request) in the caller's transaction.</summary>
    public static async Task RecordAsync(NpgsqlConnection connection, long requestId, string type, JsonObject data, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO push_request_events (request_id, event_type, detail, created_at, job_count, succeeded_count, failed_count, canceled_count)
            SELECT r.id, $2, $3, $4, r.job_count, r.succeeded_count, r.failed_count, r.canceled_count FROM push_requests r WHERE r.id = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = requestId });
        command.Parameters.Add(new NpgsqlParameter { Value = type });
        command.Parameters.Add(new NpgsqlParameter { Value = data.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A webhook body: a status change (old and new status) or a typed event with what it adds (its detail), both with the counts of the moment.</summary>
    public static JsonObject Body(long eventId, string? type, long requestId, string? oldStatus, string? newStatus, DateTimeOffset at, long versionId, JsonObject jobs, JsonObject? data)
    {
        var body = new JsonObject
        {
            ["id"] = "evt-" + eventId.ToString(CultureInfo.InvariantCulture),
            ["type"] = type ?? StatusChanged,
            ["requestId"] = SalesforceId.Format(KeyPrefixes.PackagePushRequest, requestId),
        };
        if (oldStatus is not null || newStatus is not null)
        {
            body["oldStatus"] = oldStatus;
            body["newStatus"] = newStatus;
        }

        body["occurredAt"] = at.ToString("O", CultureInfo.InvariantCulture);
        body["packageVersionId"] = SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId);
        body["jobs"] = jobs;
        foreach (var (key, value) in data ?? [])
        {
            body[key] = value?.DeepClone();
        }

        return body;
    }

    /// <summary>The mail telling the submitter a deployment halted: which wave, why, and what happens to the rest.</summary>
    public static (string Subject, string Text) HaltMail(long requestId, string versionName, JsonObject? data, string publicUrl)
    {
        var deploymentId = data?["deploymentId"]?.GetValue<string>() ?? SalesforceId.Format(KeyPrefixes.PackagePushRequest, requestId);
        var wave = data?["wave"]?.GetValue<string>() ?? "";
        var reason = data?["reason"]?.GetValue<string>() ?? "";
        var held = data?["onHalt"]?.GetValue<string>() == "hold";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"The deployment of {versionName} ({deploymentId}) halted in wave \"{wave}\".")
            .AppendLine()
            .AppendLine(reason)
            .AppendLine()
            .AppendLine(held
                ? "The later waves are held: resume the deployment (POST /api/v1/deployments/" + deploymentId + "/resume) to continue, or cancel it."
                : "The later waves were canceled.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Details: {publicUrl.TrimEnd('/')}/monitor/#/deployments/{deploymentId}");
        return ($"Deployment halted: {versionName} in wave \"{wave}\"", text.ToString());
    }
}
