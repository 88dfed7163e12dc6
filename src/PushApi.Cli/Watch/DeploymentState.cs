using System.Text.Json;
using PushApi.Cli.Api;
using PushApi.Cli.Deploy;

namespace PushApi.Cli.Watch;

/// <summary>One reading of <c>GET /api/v1/deployments/{id}</c>: status, job counts and the server's estimate, in words.</summary>
public sealed record DeploymentState(string Id, string Status, int Total, int Succeeded, int Failed, int Canceled, JsonElement Estimate, JsonElement Raw)
{
    /// <summary>Statuses after which nothing more happens without someone acting (Halted: a rollout halted or held).</summary>
    private static readonly HashSet<string> Ends = ["Succeeded", "Failed", "Canceled", "Halted"];

    public int Done => Succeeded + Failed + Canceled;

    public bool Ended => Ends.Contains(Status);

    /// <summary>Ended with every job succeeded (or none to run).</summary>
    public bool Clean => Status == "Succeeded" && Failed == 0 && Canceled == 0;

    public static DeploymentState From(JsonElement deployment)
    {
        var jobs = deployment.Child("jobs");
        return new(deployment.Text("id") ?? "", deployment.Text("status") ?? "Unknown", jobs.Whole("total"), jobs.Whole("succeeded"), jobs.Whole("failed"), jobs.Whole("canceled"), deployment.Child("estimate"), deployment);
    }

    /// <summary>What changed between two readings is worth a line.</summary>
    public string Key => $"{Status}/{Succeeded}/{Failed}/{Canceled}/{Total}";

    public string Counts => $"{ReportView.N(Done)}/{ReportView.N(Total)} done ({ReportView.N(Succeeded)} succeeded, {ReportView.N(Failed)} failed, {ReportView.N(Canceled)} canceled)";

    /// <summary>Throughput and expected end from the server's estimate ("live" while it runs).</summary>
    public string Pace
    {
        get
        {
            var rate = Estimate.Real("jobsPerSecond") is { } perSecond ? $"{perSecond:0.#} jobs/s" : null;
            var end = Estimate.Time("expectedEnd") is { } at ? $"{(Ended ? "ended" : "ends about")} {at.UtcDateTime:HH:mm:ss} UTC" : null;
            return string.Join(", ", new[] { rate, end }.Where(p => p is not null));
        }
    }

    public string Line => $"{Id} {Status}: {Counts}" + (Pace.Length > 0 ? $", {Pace}" : string.Empty);

    public string Summary => Clean
        ? $"Deployment {Id} Succeeded: {ReportView.N(Succeeded)} of {ReportView.N(Total)} tenants upgraded."
        : $"Deployment {Id} ended {Status}: {Counts}." + (Failed > 0 ? $" See the failures: pushapi failures {Id}" : string.Empty);
}
