using PushApi.Core.Push.Engine;
using PushApi.Server.Telemetry;

namespace PushApi.Server.Scheduling;

/// <summary>
/// Tells the push engine when people wait (<see cref="InteractiveDemand"/>): every request but the health and metrics
/// probes counts from its start to its end, so a running push gives way to the API, SOAP, Bulk and console traffic.
/// </summary>
public static class InteractivePrecedence
{
    public static WebApplication UseInteractivePrecedence(this WebApplication app)
    {
        var demand = app.Services.GetRequiredService<InteractiveDemand>();
        app.Use(async (context, next) =>
        {
            if (FrontEnds.Of(context.Request.Path) == FrontEnds.Ops)
            {
                await next(context);
                return;
            }

            demand.Started();
            try
            {
                await next(context);
            }
            finally
            {
                demand.Ended();
            }
        });
        return app;
    }
}
