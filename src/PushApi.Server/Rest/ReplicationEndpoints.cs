using PushApi.Core.Catalog;
using PushApi.Core.Replication;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// Salesforce's replication resources on the six push objects: <c>sobjects/{Type}/updated?start=&amp;end=</c> lists the
/// ids whose SystemModstamp falls in the window, and <c>/deleted</c> lists nothing, since no push record is ever
/// deleted. Both check the window as Salesforce does (<see cref="ReplicationWindow"/>).
/// </summary>
public static class ReplicationEndpoints
{
    public static RouteGroupBuilder MapReplicationEndpoints(this RouteGroupBuilder data)
    {
        data.MapGet("/sobjects/{type}/updated", UpdatedAsync).WithSummary("The ids of the records created or changed between start and end (at most 30 days, within the last 30).");
        data.MapGet("/sobjects/{type}/deleted", DeletedAsync).WithSummary("The records deleted between start and end: always none, push records are never deleted.");
        return data;
    }

    private static async Task<IResult> UpdatedAsync(string type, string? start, string? end, ReplicationQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        var check = Check(type, start, end, clock);
        if (check.Result is not null)
        {
            return check.Result;
        }

        if (await queries.UpdatedAsync(check.Type!, check.Window!, cancellationToken) is not { } updated)
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, ReplicationQueries.ExceededIdLimit, $"More than {ReplicationQueries.MaxIds} ids changed between start and end; choose start and end dates closer together");
        }

        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("ids");
            foreach (var id in updated.Ids)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteString("latestDateCovered", RestWriter.FormatDateTime(updated.LatestDateCovered));
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> DeletedAsync(string type, string? start, string? end, ReplicationQueries queries, TimeProvider clock, CancellationToken cancellationToken)
    {
        var check = Check(type, start, end, clock);
        if (check.Result is not null)
        {
            return check.Result;
        }

        var deleted = await queries.DeletedAsync(check.Window!, cancellationToken);
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("deletedRecords");
            writer.WriteEndArray();
            writer.WriteString("earliestDateAvailable", RestWriter.FormatDateTime(deleted.EarliestDateAvailable));
            writer.WriteString("latestDateCovered", RestWriter.FormatDateTime(deleted.LatestDateCovered));
            writer.WriteEndObject();
        });
    }

    /// <summary>The object and window of a call; <see cref="Checked.Result"/> set when the call is refused.</summary>
    private sealed record Checked(IResult? Result, SObjectDescriptor? Type, ReplicationWindow? Window);

    /// <summary>Unknown object 404; an object that isn't replicated 400 INVALID_TYPE; a bad window 400 with Salesforce's code.</summary>
    private static Checked Check(string type, string? start, string? end, TimeProvider clock)
    {
        if (SObjectCatalog.Find(type) is not { } descriptor)
        {
            return new Checked(RestWriter.NotFound(), null, null);
        }

        if (!SObjectCatalog.IsReplicateable(descriptor))
        {
            return new Checked(RestWriter.Error(StatusCodes.Status400BadRequest, "INVALID_TYPE", $"sObject type '{descriptor.Name}' is not replicateable"), null, null);
        }

        var (window, error) = ReplicationWindow.Parse(start, end, Core.Clock.Now(clock));
        return error is not null
            ? new Checked(RestWriter.Error(StatusCodes.Status400BadRequest, error.ErrorCode, error.Message), null, null)
            : new Checked(null, descriptor, window);
    }
}
