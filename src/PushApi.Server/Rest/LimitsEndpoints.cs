using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest;

/// <summary>
/// <c>/limits</c>: Salesforce's org limits, in its shape (<c>{"DailyApiRequests": {"Max": N, "Remaining": M}}</c>). Only the
/// limits PushApi really keeps are listed (docs/audit-fields-and-limits.md): today that is DailyApiRequests, from
/// <see cref="DailyApiUsage"/>. Salesforce's others (Bulk batches, storage, reports …) have no limit here to report,
/// and a made-up number would mislead a client that plans by it.
/// </summary>
public static class LimitsEndpoints
{
    public static RouteGroupBuilder MapLimitsEndpoint(this RouteGroupBuilder data)
    {
        data.MapGet("/limits", (DailyApiUsage usage) => new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            var max = usage.Max;
            writer.WriteStartObject();
            writer.WriteStartObject("DailyApiRequests");
            writer.WriteNumber("Max", max);
            writer.WriteNumber("Remaining", Math.Max(0, max - usage.Used));
            writer.WriteEndObject();
            writer.WriteEndObject();
        })).WithSummary("The org's limits: DailyApiRequests (Max, Remaining) of this instance, today (UTC).");
        return data;
    }
}
